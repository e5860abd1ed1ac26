import type { Clock } from '../clock.js';
import { sha256Hex } from '../crypto/tokens.js';
import { type ApiKeyRepository, permissionsOf } from '../store/api-keys.js';
import type { UserRepository } from '../store/users.js';
import { type Authentication, INVALID_CREDENTIAL, NO_CREDENTIAL, authenticated } from './principal.js';

export interface ApiKeyAuthenticatorDeps {
  users: UserRepository;
  apiKeys: ApiKeyRepository;
  clock: Clock;
}

export type ApiKeyAuthenticator = (key: string | undefined) => Promise<Authentication>;

const KEY_SHAPE = /^[A-Za-z0-9_-]{1,200}$/;

/** The key from `Authorization: Bearer <key>`, or undefined when the header is not a bearer one. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^bearer(?:\s+(.*))?$/i.exec(authorization?.trim() ?? '');
  if (match === null) return undefined;
  return match[1]?.trim() ?? '';
}

/**
 * API keys: looked up by their SHA-256, so the store never holds a usable secret. Unknown,
 * revoked and expired keys, and keys of disabled users, are all the same "invalid".
 */
export function createApiKeyAuthenticator({ users, apiKeys, clock }: ApiKeyAuthenticatorDeps): ApiKeyAuthenticator {
  return async (key) => {
    if (key === undefined) return NO_CREDENTIAL;
    if (!KEY_SHAPE.test(key)) return INVALID_CREDENTIAL;
    const record = await apiKeys.findByHash(sha256Hex(key));
    if (record === undefined || record.revoked_at !== null) return INVALID_CREDENTIAL;
    const now = clock.now();
    if (record.expires_at !== null && record.expires_at <= now.toISOString()) return INVALID_CREDENTIAL;
    const user = await users.findById(record.user_id);
    if (user === undefined || user.disabled) return INVALID_CREDENTIAL;
    return authenticated({ scheme: 'api_key', user, apiKey: record, permissions: permissionsOf(record) });
  };
}
