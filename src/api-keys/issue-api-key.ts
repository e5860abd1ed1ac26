import { newId, sha256Hex } from '../crypto/tokens.js';
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
}

/** Mints a key: only its SHA-256 and a short prefix are stored; the key itself is returned once. */
export async function issueApiKey(
  store: Store,
  request: ApiKeyRequest,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const { key, prefix } = generateApiKey(request.mode);
  const record = await store.apiKeys.create({
    id: newId('key'),
    userId: request.userId,
    name: request.name,
    prefix,
    keyHash: sha256Hex(key),
    permissions: [...new Set(request.permissions)].sort(),
    expiresAt: request.expiresAt,
    now: request.now,
  });
  return { key, record };
}

/** Keys minted outside production say so in their prefix. */
export function keyModeFor(env: string): KeyMode {
  return env === 'production' ? 'live' : 'test';
}
