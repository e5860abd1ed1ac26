import type { Request } from 'express';
import type { Principal } from './principal.js';

export type SecuritySchemeName = 'basicAuth' | 'bearerAuth' | 'apiKey' | 'sessionCookie';

/** A credential that was presented and turned away, and why. */
export interface AuthFailure {
  scheme: SecuritySchemeName;
  reason: 'invalid' | 'forbidden' | 'throttled' | 'unavailable';
  /** The roles or permissions the credential lacked (only for "forbidden"). */
  missing: string[];
  /** How long the brute-force throttle holds the credential back (only for "throttled"). */
  retryAfterSeconds?: number;
  /** The username a refused Basic credential named (only for "invalid", when it was well formed). */
  username?: string;
  /** What went wrong when the credential could not be checked at all (only for "unavailable"); for the log. */
  cause?: string;
}

/**
 * What the security handlers found on one request. The validator runs the alternatives of an
 * OR list in parallel and reports only the first failure, so the final answer is decided from
 * this record instead of from the validator's message.
 */
export interface AuthRecord {
  principal: Principal | undefined;
  failures: AuthFailure[];
}

declare module 'express-serve-static-core' {
  interface Request {
    auth?: AuthRecord;
  }
}

export function authRecordOf(req: Request): AuthRecord {
  req.auth ??= { principal: undefined, failures: [] };
  return req.auth;
}

/** The authenticated caller; routes behind a security requirement can rely on it. */
export function principalOf(req: Request): Principal {
  const principal = req.auth?.principal;
  if (principal === undefined)
    throw new Error('route reached without a principal: is its security requirement declared?');
  return principal;
}
