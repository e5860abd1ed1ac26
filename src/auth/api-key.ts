import { claimsCurrentFormat, hasValidChecksum } from '../api-keys/key-format.js';
import type { Clock } from '../clock.js';
import { sha256Hex } from '../crypto/tokens.js';
import { type ApiKeyRepository, permissionsOf } from '../store/api-keys.js';
import type { UserRepository } from '../store/users.js';
import { type Authentication, authenticated, INVALID_CREDENTIAL, NO_CREDENTIAL } from './principal.js';

export interface ApiKeyAuthenticatorDeps {
  users: UserRepository;
  apiKeys: ApiKeyRepository;
  clock: Clock;
  /** In production `sk_test_` keys (minted outside production, the demo's among them) are unknown keys. */
  refuseTestKeys: boolean;
}

export type ApiKeyAuthenticator = (key: string | undefined) => Promise<Authentication>;

const TEST_KEY_PREFIX = 'sk_test_';
const KEY_SHAPE = /^[A-Za-z0-9_-]{1,200}$/;
/** Recording every use would be a write per request; once a minute per key is precise enough. */
const MARK_USED_INTERVAL_MS = 60_000;

/** The key from `Authorization: Bearer <key>`, or undefined when the header is not a bearer one. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^bearer(?:\s+(.*))?$/i.exec(authorization?.trim() ?? '');
  if (match === null) return undefined;
  return match[1]?.trim() ?? '';
}

/**
 * API keys: looked up by their SHA-256, so the store never holds a usable secret. Unknown,
 * revoked and expired keys, and keys of disabled users, are all the same "invalid". A use is
 * recorded in last_used_at at most once a minute.
 */
export function createApiKeyAuthenticator({
  apiKeys,
  clock,
  refuseTestKeys,
}: ApiKeyAuthenticatorDeps): ApiKeyAuthenticator {
  return async (key) => {
    if (key === undefined) return NO_CREDENTIAL;
    if (!KEY_SHAPE.test(key)) return INVALID_CREDENTIAL;
    if (refuseTestKeys && key.startsWith(TEST_KEY_PREFIX)) return INVALID_CREDENTIAL;
    // A typo or a made-up key of the current format fails its checksum: no database work for it.
    // Older keys (the demo ones) do not claim the format and are looked up as before.
    if (claimsCurrentFormat(key) && !hasValidChecksum(key)) return INVALID_CREDENTIAL;
    const found = await apiKeys.findWithOwnerByHash(sha256Hex(key));
    if (found === undefined || found.record.revoked_at !== null) return INVALID_CREDENTIAL;
    const { record, owner: user } = found;
    const now = clock.now();
    if (record.expires_at !== null && record.expires_at <= now.toISOString()) return INVALID_CREDENTIAL;
    if (user.disabled) return INVALID_CREDENTIAL;
    const lastUsed = record.last_used_at === null ? undefined : new Date(record.last_used_at).getTime();
    if (lastUsed === undefined || now.getTime() - lastUsed >= MARK_USED_INTERVAL_MS) {
      await apiKeys.markUsed(record.id, now, new Date(now.getTime() - MARK_USED_INTERVAL_MS));
      record.last_used_at = now.toISOString();
    }
    return authenticated({ scheme: 'api_key', user, apiKey: record, permissions: permissionsOf(record) });
  };
}
