import type { Request } from 'express';
import type { Principal } from './principal.js';

export type SecuritySchemeName = 'basicAuth' | 'bearerAuth' | 'apiKey' | 'sessionCookie';

/** Credentials a client sends on purpose (headers), unlike the cookie a browser adds on its own. */
export const EXPLICIT_SCHEMES: readonly SecuritySchemeName[] = ['basicAuth', 'bearerAuth', 'apiKey'];

export function isExplicit(scheme: SecuritySchemeName): boolean {
  return EXPLICIT_SCHEMES.includes(scheme);
}

/** A credential that was presented and turned away, and why. */
export interface AuthFailure {
  scheme: SecuritySchemeName;
  reason: 'invalid' | 'forbidden' | 'throttled' | 'unavailable';
  /** The roles or permissions the credential lacked (only for "forbidden"). */
  missing: string[];
  /** The user the credential proved, though it lacked a role or permission (only for "forbidden"). */
  userId?: string;
  /** How long the brute-force throttle holds the credential back (only for "throttled"). */
  retryAfterSeconds?: number;
  /** The username a refused Basic credential named (only for "invalid", when it was well formed). */
  username?: string;
  /** The public message for an "invalid" credential, when not the scheme's usual one. */
  message?: string;
  /** What went wrong when the credential could not be checked at all (only for "unavailable"); for the log. */
  cause?: string;
}

/** A credential that proved its user and had what the operation asks (or was checked with no scopes). */
export interface AuthPass {
  scheme: SecuritySchemeName;
  principal: Principal;
}

/**
 * What the security handlers found on one request. The validator runs the alternatives of an
 * OR list in parallel and reports only the first failure, so the final answer, and the
 * principal, are decided from this record once every handler has run, never from the order
 * in which they finished.
 */
export interface AuthRecord {
  /** Chosen from `passed` by settleCredentials, after the validator let the request through. */
  principal: Principal | undefined;
  passed: AuthPass[];
  failures: AuthFailure[];
}

declare module 'express-serve-static-core' {
  interface Request {
    auth?: AuthRecord;
  }
}

export function authRecordOf(req: Request): AuthRecord {
  req.auth ??= { principal: undefined, passed: [], failures: [] };
  return req.auth;
}

/** The authenticated caller; routes behind a security requirement can rely on it. */
export function principalOf(req: Request): Principal {
  const principal = req.auth?.principal;
  if (principal === undefined)
    throw new Error('route reached without a principal: is its security requirement declared?');
  return principal;
}
