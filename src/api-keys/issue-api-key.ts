import { newId, sha256Hex } from '../crypto/tokens.js';
import { conflict } from '../errors/api-error.js';
import type { ApiKeyRecord } from '../store/api-keys.js';
import type { Permission } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { generateApiKey, type KeyMode } from './key-format.js';

export interface ApiKeyRequest {
  userId: string;
  name: string;
  permissions: Permission[];
  expiresAt: Date | null;
  mode: KeyMode;
  now: Date;
  /** API_KEY_MAX_PER_USER: active (unrevoked, unexpired) keys a user may hold; no cap when absent. */
  maxActive?: number;
}

/**
 * Mints a key: only its SHA-256 and a short prefix are stored; the key itself is returned once.
 * The cap is counted inside the insert's transaction, with the owner's row locked on
 * PostgreSQL (SQLite writes one transaction at a time), so parallel requests cannot overshoot it.
 */
export async function issueApiKey(
  store: Store,
  request: ApiKeyRequest,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const { key, prefix } = generateApiKey(request.mode);
  const { maxActive } = request;
  if (maxActive === undefined) return { key, record: await insertKey(store, request, key, prefix) };
  const record = await store.transaction(async (tx) => {
    await tx.users.lockForUpdate(request.userId);
    if ((await tx.apiKeys.countActive(request.userId, request.now)) >= maxActive)
      throw conflict(`A user may have at most ${maxActive} active API keys; revoke one first`);
    return insertKey(tx, request, key, prefix);
  });
  return { key, record };
}

function insertKey(store: Store, request: ApiKeyRequest, key: string, prefix: string): Promise<ApiKeyRecord> {
  return store.apiKeys.create({
    id: newId('key'),
    userId: request.userId,
    name: request.name,
    prefix,
    keyHash: sha256Hex(key),
    permissions: [...new Set(request.permissions)].sort(),
    expiresAt: request.expiresAt,
    now: request.now,
  });
}

/** Keys minted outside production say so in their prefix. */
export function keyModeFor(env: string): KeyMode {
  return env === 'production' ? 'live' : 'test';
}
