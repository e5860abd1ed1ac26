import type { ErrorRequestHandler } from 'express';
import { matchedOperation } from '../contract.js';
import {
  type ApiError,
  forbidden,
  THROTTLED_MESSAGE,
  tooManyRequests,
  unauthenticated,
  unavailable,
} from '../errors/api-error.js';
import type { AuthRecord, SecuritySchemeName } from './auth-record.js';

export type SecurityRequirement = Record<string, string[]>;

const UNAUTHENTICATED_MESSAGES: Record<SecuritySchemeName, string> = {
  basicAuth: 'Invalid credentials',
  bearerAuth: 'Invalid API Key',
  apiKey: 'Invalid API Key',
  sessionCookie: 'Not authenticated',
};

const CHALLENGES: Record<SecuritySchemeName, string | undefined> = {
  basicAuth: 'Basic realm="gatehouse", charset="UTF-8"',
  bearerAuth: 'Bearer realm="gatehouse"',
  apiKey: 'Bearer realm="gatehouse"',
  sessionCookie: undefined,
};

const FORBIDDEN_MESSAGES: Record<string, string> = {
  admin: 'Admins only',
  write: 'Write access required',
  read: 'Read access required',
};

function isSchemeName(name: string): name is SecuritySchemeName {
  return name in UNAUTHENTICATED_MESSAGES;
}

/**
 * The one answer to a request no security alternative let through: 429 when the brute-force
 * throttle held a credential back, 403 when a valid credential
 * lacked a role or permission, else 401 worded for the credential that was presented (or the
 * route's first scheme), challenging with every scheme the route accepts.
 */
export function authFailure(record: AuthRecord | undefined, security: SecurityRequirement[]): ApiError {
  const broken = record?.failures.find((failure) => failure.reason === 'unavailable');
  if (broken !== undefined) {
    return unavailable('Credentials cannot be checked right now; try again shortly', broken.cause);
  }
  const held = record?.failures.find((failure) => failure.reason === 'throttled');
  if (held !== undefined) return tooManyRequests(THROTTLED_MESSAGE, held.retryAfterSeconds ?? 1);
  const lacking = record?.failures.find((failure) => failure.reason === 'forbidden');
  if (lacking !== undefined) {
    const scope = lacking.missing[0] ?? '';
    return forbidden(FORBIDDEN_MESSAGES[scope] ?? 'Not allowed');
  }
  const schemes = [...new Set(security.flatMap((requirement) => Object.keys(requirement)))].filter(isSchemeName);
  const scheme = record?.failures.find((failure) => failure.reason === 'invalid')?.scheme ?? schemes[0] ?? 'basicAuth';
  const challenges = [...new Set(schemes.map((name) => CHALLENGES[name]).filter((c): c is string => c !== undefined))];
  return unauthenticated(UNAUTHENTICATED_MESSAGES[scheme], challenges);
}

/** The validator's refusal when no security alternative let the request through. */
function isSecurityRefusal(error: unknown): boolean {
  const refusal = error as { status?: unknown; errors?: unknown } | undefined;
  return refusal?.status === 401 && Array.isArray(refusal.errors);
}

/**
 * Mounted right after the validator: its 401 carries only the first alternative's message, so
 * the answer is decided here from what every security handler recorded on the request.
 */
export function authFailureHandler(): ErrorRequestHandler {
  return (error, req, _res, next) => {
    if (!isSecurityRefusal(error)) return next(error);
    next(authFailure(req.auth, matchedOperation(req)?.schema?.security ?? []));
  };
}
