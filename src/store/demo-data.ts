import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { PasswordHasher } from '../crypto/password-hasher.js';
import { newId, sha256Hex } from '../crypto/tokens.js';
import type { Permission, Role } from './schema.js';
import type { Store } from './store.js';

/** Well known from the seed service: exported so production can find and remove them by value. */
export const DEMO_USERS: ReadonlyArray<{ username: string; password: string; role: Role }> = [
  { username: 'john', password: 'secret123', role: 'user' },
  { username: 'admin', password: 'supersecret', role: 'admin' },
  { username: 'alice', password: 'password123', role: 'user' },
  { username: 'bob', password: 'securepass', role: 'user' },
];

export const DEMO_KEYS: ReadonlyArray<{ key: string; owner: string; name: string; permissions: Permission[] }> = [
  { key: 'sk_test_123', owner: 'john', name: 'Demo key (read, write)', permissions: ['read', 'write'] },
  { key: 'sk_live_456', owner: 'john', name: 'Demo key (read)', permissions: ['read'] },
];

/**
 * Loads the seed's demo users and keys into an empty store, stored as real data is (bcrypt
 * hashes, SHA-256 of keys). Returns false, and touches nothing, when the store has users.
 */
export async function loadDemoData(
  store: Store,
  hasher: PasswordHasher,
  clock: Clock,
  logger: Logger,
): Promise<boolean> {
  if ((await store.users.count()) > 0) return false;
  const now = clock.now();
  const ids = new Map<string, string>();
  for (const demo of DEMO_USERS) {
    const user = await store.users.create({
      id: newId('usr'),
      username: demo.username,
      passwordHash: await hasher.hash(demo.password),
      role: demo.role,
      now,
    });
    ids.set(demo.username, user.id);
  }
  for (const demo of DEMO_KEYS) {
    await store.apiKeys.create({
      id: newId('key'),
      userId: ids.get(demo.owner) ?? '',
      name: demo.name,
      prefix: demo.key.slice(0, 8),
      keyHash: sha256Hex(demo.key),
      permissions: demo.permissions,
      expiresAt: null,
      now,
    });
  }
  logger.warn(
    { users: DEMO_USERS.map((u) => u.username), api_keys: DEMO_KEYS.length },
    'DEMO DATA LOADED: well-known demo users and API keys exist in this store; never use it for real data',
  );
  return true;
}
