import type { ErrorRequestHandler } from 'express';
import { matchedOperation } from '../contract.js';
import {
  type ApiError,
  badRequest,
  forbidden,
  THROTTLED_MESSAGE,
  tooManyRequests,
  unauthenticated,
  unavailable,
} from '../errors/api-error.js';
import { type AuthFailure, type AuthRecord, isExplicit, type SecuritySchemeName } from './auth-record.js';
import type { Principal } from './principal.js';

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

export const DIFFERENT_USERS_MESSAGE =
  'The credentials in this request belong to different users: send the credentials of one user';

const ALL_SCHEMES = Object.keys(UNAUTHENTICATED_MESSAGES) as SecuritySchemeName[];

function isSchemeName(name: string): name is SecuritySchemeName {
  return name in UNAUTHENTICATED_MESSAGES;
}

/** The schemes an operation accepts, once each, in its `security` order. */
export function schemesOf(security: SecurityRequirement[]): SecuritySchemeName[] {
  return [...new Set(security.flatMap((requirement) => Object.keys(requirement)))].filter(isSchemeName);
}

/** The operation's own schemes in its order, then any other: the order failures are reported in. */
function inReportOrder(failures: AuthFailure[], security: SecurityRequirement[]): AuthFailure[] {
  const own = schemesOf(security);
  const order = [...own, ...ALL_SCHEMES.filter((scheme) => !own.includes(scheme))];
  return [...failures].sort((a, b) => order.indexOf(a.scheme) - order.indexOf(b.scheme));
}

/**
 * The one answer to a request refused for its credentials: 503 when the store could not check
 * one, 429 when the brute-force throttle held one back, 403 when a valid credential lacked a
 * role or permission, else 401 worded for the first failing credential in the operation's
 * `security` order (or the route's first scheme), challenging with every scheme the route
 * accepts. Within each status the first in that order speaks, whichever check finished first.
 */
export function authFailure(record: AuthRecord | undefined, security: SecurityRequirement[]): ApiError {
  const failures = inReportOrder(record?.failures ?? [], security);
  const broken = failures.find((failure) => failure.reason === 'unavailable');
  if (broken !== undefined) {
    return unavailable('Credentials cannot be checked right now; try again shortly', broken.cause);
  }
  const held = failures.find((failure) => failure.reason === 'throttled');
  if (held !== undefined) return tooManyRequests(THROTTLED_MESSAGE, held.retryAfterSeconds ?? 1);
  const lacking = failures.find((failure) => failure.reason === 'forbidden');
  if (lacking !== undefined) {
    const scope = lacking.missing[0] ?? '';
    return forbidden(FORBIDDEN_MESSAGES[scope] ?? 'Not allowed');
  }
  const schemes = schemesOf(security);
  const invalid = failures.find((failure) => failure.reason === 'invalid');
  const scheme = invalid?.scheme ?? schemes[0] ?? 'basicAuth';
  const challenges = [...new Set(schemes.map((name) => CHALLENGES[name]).filter((c): c is string => c !== undefined))];
  return unauthenticated(invalid?.message ?? UNAUTHENTICATED_MESSAGES[scheme], challenges);
}

/**
 * For a request the validator let through: every explicit credential (Authorization, X-API-Key)
 * must be good, so one that is wrong, held back or uncheckable refuses the request as it would
 * alone (401, 429, 503), and credentials that prove different users are refused with 400. A
 * session cookie the browser added does not count against it unless it is valid, and then it
 * must name the same user. Undefined when the request may go on.
 */
export function credentialConflict(record: AuthRecord, security: SecurityRequirement[]): ApiError | undefined {
  const explicitFailures = record.failures.filter((f) => isExplicit(f.scheme) && f.reason !== 'forbidden');
  if (explicitFailures.length > 0) return authFailure({ ...record, failures: explicitFailures }, security);
  // A credential that lacked a role or permission still proved who it belongs to.
  const usersOf = (include: (scheme: SecuritySchemeName) => boolean): string[] => [
    ...record.passed.filter((pass) => include(pass.scheme)).map((pass) => pass.principal.user.id),
    ...record.failures
      .filter((failure) => include(failure.scheme) && failure.reason === 'forbidden')
      .flatMap((failure) => (failure.userId === undefined ? [] : [failure.userId])),
  ];
  const explicitUsers = new Set(usersOf(isExplicit));
  if (explicitUsers.size === 0) return undefined;
  for (const id of usersOf((scheme) => scheme === 'sessionCookie')) explicitUsers.add(id);
  return explicitUsers.size > 1 ? badRequest(DIFFERENT_USERS_MESSAGE) : undefined;
}

/**
 * The principal among the credentials that passed and that the operation accepts: a valid
 * session first (a browser sends its cookie on its own, so the CSRF check must see it), else
 * the first in the operation's `security` order.
 */
export function chosenPrincipal(record: AuthRecord, security: SecurityRequirement[]): Principal | undefined {
  const accepted = schemesOf(security);
  const usable = record.passed
    .filter((pass) => accepted.includes(pass.scheme))
    .sort((a, b) => accepted.indexOf(a.scheme) - accepted.indexOf(b.scheme));
  return (usable.find((pass) => pass.scheme === 'sessionCookie') ?? usable[0])?.principal;
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
