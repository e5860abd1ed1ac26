import type { ApiKeyRecord } from '../store/api-keys.js';
import type { Permission } from '../store/schema.js';
import type { SessionRecord } from '../store/sessions.js';
import type { UserRecord } from '../store/users.js';

export type CredentialScheme = 'basic' | 'api_key' | 'session';

/** Who the caller is, and through which credential. */
export type Principal =
  | { scheme: 'basic'; user: UserRecord }
  | { scheme: 'api_key'; user: UserRecord; apiKey: ApiKeyRecord; permissions: Permission[] }
  | { scheme: 'session'; user: UserRecord; session: SessionRecord };

/**
 * What an authenticator made of a request: no credential of its kind, a bad one, one held back
 * by the brute-force throttle before it was checked, or a principal.
 */
export type Authentication =
  | { outcome: 'none' }
  /**
   * `username`: the name a well-formed but refused Basic credential gave, for the audit trail;
   * `message`: what to tell the caller instead of the scheme's usual words.
   */
  | { outcome: 'invalid'; username?: string; message?: string }
  | { outcome: 'throttled'; retryAfterSeconds: number }
  | { outcome: 'authenticated'; principal: Principal };

export const NO_CREDENTIAL: Authentication = { outcome: 'none' };
export const INVALID_CREDENTIAL: Authentication = { outcome: 'invalid' };

/** A credential that named a user but did not prove it. */
export function refused(username: string): Authentication {
  return { outcome: 'invalid', username };
}

/**
 * The right password of an account with a second factor: Basic cannot carry the code, so the
 * password alone must not pass, and the caller is told what will.
 */
export const SECOND_FACTOR_BASIC_MESSAGE =
  'This account has a second factor, which HTTP Basic cannot carry: sign in with a session (POST /login) or use an API key';

export function refusedForSecondFactor(username: string): Authentication {
  return { outcome: 'invalid', username, message: SECOND_FACTOR_BASIC_MESSAGE };
}

export function throttled(retryAfterSeconds: number): Authentication {
  return { outcome: 'throttled', retryAfterSeconds };
}

export function authenticated(principal: Principal): Authentication {
  return { outcome: 'authenticated', principal };
}
