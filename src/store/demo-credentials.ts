import type { PasswordHasher } from '../crypto/password-hasher.js';
import { sha256Hex } from '../crypto/tokens.js';
import type { ApiKeyRecord } from './api-keys.js';
import { DEMO_KEYS, DEMO_USERS } from './demo-data.js';
import type { Store } from './store.js';
import type { UserRecord } from './users.js';

/** The demo credentials a store still honours: users with their demo password, active demo keys. */
export interface DemoCredentials {
  users: UserRecord[];
  keys: ApiKeyRecord[];
}

export const DEMO_REMOVE_COMMAND = 'npm run cli -- demo remove';

/**
 * Looks for the seed's demo credentials by value, not by a flag: a demo username whose stored
 * hash still verifies against the demo password, and a key whose SHA-256 is a demo key's. A demo
 * user who has since set a real password is a real user. The four bcrypt compares run together
 * (a few hundred milliseconds at cost 12, once per start).
 */
export async function findDemoCredentials(store: Store, hasher: PasswordHasher): Promise<DemoCredentials> {
  const users = await Promise.all(
    DEMO_USERS.map(async (demo) => {
      const user = await store.users.findByUsername(demo.username);
      if (user === undefined) return undefined;
      return (await hasher.verify(demo.password, user.password_hash)) ? user : undefined;
    }),
  );
  const keys = await Promise.all(DEMO_KEYS.map((demo) => store.apiKeys.findByHash(sha256Hex(demo.key))));
  return {
    users: users.filter((user): user is UserRecord => user !== undefined),
    keys: keys.filter((key): key is ApiKeyRecord => key !== undefined && key.revoked_at === null),
  };
}

/** The one line production prints before it refuses to start, or undefined when there is nothing to refuse. */
export function demoCredentialsProblem(found: DemoCredentials): string | undefined {
  if (found.users.length === 0 && found.keys.length === 0) return undefined;
  const parts = [
    ...(found.users.length === 0 ? [] : [`users ${found.users.map((u) => u.username).join(', ')}`]),
    ...(found.keys.length === 0 ? [] : [`${found.keys.length} demo API key(s)`]),
  ];
  return `the store holds the well-known demo credentials (${parts.join('; ')}), so production refuses to start: remove them with \`${DEMO_REMOVE_COMMAND}\` (same DATABASE_URL)`;
}
