import type { Request, RequestHandler } from 'express';
import { matchedOperation } from '../contract.js';
import { sessionCookieTokenOf } from '../http/session-cookies.js';
import type { MetricHooks } from '../metrics/hooks.js';
import { type ApiKeyAuthenticator, bearerToken } from './api-key.js';
import { chosenPrincipal, credentialConflict, type SecurityRequirement, schemesOf } from './auth-failure.js';
import { authRecordOf, EXPLICIT_SCHEMES, type SecuritySchemeName } from './auth-record.js';
import type { BasicAuthenticator } from './basic.js';
import { claimsBasic } from './basic-credentials.js';
import { passwordClientOf } from './password-check.js';
import type { Authentication, Principal } from './principal.js';
import type { SessionAuthenticator } from './session.js';

export interface Authenticators {
  basic: BasicAuthenticator;
  apiKey: ApiKeyAuthenticator;
  session: SessionAuthenticator;
  /** The session cookie on operations marked `x-pending-sign-in`. */
  pendingSession: SessionAuthenticator;
}

type SecurityHandler = (req: Request, scopes: string[]) => Promise<boolean>;
export type SecurityHandlers = Record<SecuritySchemeName, SecurityHandler>;

/** Role lists name a user's role for human credentials and a key's permissions for API keys. */
function missingScopes(principal: Principal, scopes: string[]): string[] {
  if (principal.scheme === 'api_key')
    return scopes.filter((scope) => !principal.permissions.includes(scope as 'read' | 'write'));
  return scopes.filter((scope) => scope !== principal.user.role);
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * Adapts the per-scheme authenticators to express-openapi-validator's handler contract. Each
 * handler only records what it found on the request; the principal is chosen afterwards
 * (settleCredentials), so the answer never depends on which handler finished first.
 */
export function createSecurityHandlers(authenticators: Authenticators, metrics: MetricHooks): SecurityHandlers {
  const handle =
    (scheme: SecuritySchemeName, authenticate: (req: Request) => Promise<Authentication>): SecurityHandler =>
    async (req, scopes) => {
      let result: Authentication;
      try {
        result = await authenticate(req);
      } catch (error) {
        // The store did not answer: that says nothing about the credential, so it is no 401.
        metrics.authOutcome(scheme, 'unavailable');
        authRecordOf(req).failures.push({
          scheme,
          reason: 'unavailable',
          missing: [],
          cause: error instanceof Error ? error.message : String(error),
        });
        return false;
      }
      if (result.outcome === 'none') return false;
      const record = authRecordOf(req);
      if (result.outcome === 'throttled') {
        metrics.authOutcome(scheme, 'throttled');
        record.failures.push({ scheme, reason: 'throttled', missing: [], retryAfterSeconds: result.retryAfterSeconds });
        return false;
      }
      if (result.outcome === 'invalid') {
        metrics.authOutcome(scheme, 'invalid');
        record.failures.push({
          scheme,
          reason: 'invalid',
          missing: [],
          username: result.username,
          ...(result.message === undefined ? {} : { message: result.message }),
        });
        return false;
      }
      const missing = missingScopes(result.principal, scopes);
      if (missing.length > 0) {
        metrics.authOutcome(scheme, 'forbidden');
        record.failures.push({ scheme, reason: 'forbidden', missing, userId: result.principal.user.id });
        return false;
      }
      metrics.authOutcome(scheme, 'ok');
      record.passed.push({ scheme, principal: result.principal });
      return true;
    };

  return {
    basicAuth: handle('basicAuth', (req) => authenticators.basic(req.headers.authorization, passwordClientOf(req))),
    bearerAuth: handle('bearerAuth', (req) => authenticators.apiKey(bearerToken(req.headers.authorization))),
    apiKey: handle('apiKey', (req) => authenticators.apiKey(singleHeader(req.headers['x-api-key']))),
    sessionCookie: handle('sessionCookie', (req) =>
      matchedOperation(req)?.schema?.['x-pending-sign-in'] === true
        ? authenticators.pendingSession(sessionCookieTokenOf(req))
        : authenticators.session(sessionCookieTokenOf(req)),
    ),
  };
}

/** What settleCredentials needs to know of an operation, worked out from its `security` once. */
interface Settlement {
  security: SecurityRequirement[];
  accepted: SecuritySchemeName[];
  /** Explicit schemes the operation does not accept, checked too when it requires a credential. */
  others: SecuritySchemeName[];
}

function settlementOf(security: SecurityRequirement[]): Settlement {
  const accepted = schemesOf(security);
  const required = security.every((requirement) => Object.keys(requirement).length > 0);
  const others = required ? EXPLICIT_SCHEMES.filter((scheme) => !accepted.includes(scheme)) : [];
  return { security, accepted, others };
}

/**
 * Whether the request carries the scheme's credential at all. Without one its authenticator
 * answers "none" and its handler records nothing, so it need not run.
 */
const PRESENTED: Record<SecuritySchemeName, (req: Request) => boolean> = {
  basicAuth: (req) => claimsBasic(req.headers.authorization),
  bearerAuth: (req) => bearerToken(req.headers.authorization) !== undefined,
  apiKey: (req) => req.headers['x-api-key'] !== undefined,
  sessionCookie: (req) => sessionCookieTokenOf(req) !== undefined && sessionCookieTokenOf(req) !== null,
};

/**
 * Mounted right after the validator let a request through. On an operation that requires
 * credentials, explicit ones it does not accept (an X-API-Key on a Basic route, a Basic
 * header on a key route) are checked too, so a wrong credential is never carried along
 * unnoticed; then the record decides (credentialConflict) and the principal is chosen.
 * Public operations, and `POST /logout` whose credential is optional, look at nothing more.
 * What an operation's `security` implies is worked out on its first request, keyed by the
 * validator's schema object for it (one per operation, held by this app's validator).
 */
export function settleCredentials(handlers: SecurityHandlers): RequestHandler {
  const settlements = new WeakMap<object, Settlement>();
  return async (req, _res, next) => {
    const schema = matchedOperation(req)?.schema;
    if (schema === undefined) return next();
    let settlement = settlements.get(schema);
    if (settlement === undefined) {
      settlement = settlementOf(schema.security ?? []);
      settlements.set(schema, settlement);
    }
    const { security, accepted, others } = settlement;
    if (accepted.length === 0) return next();
    const record = authRecordOf(req);
    const checks: Promise<boolean>[] = [];
    for (const scheme of others) if (PRESENTED[scheme](req)) checks.push(handlers[scheme](req, []));
    if (checks.length > 0) await Promise.all(checks);
    const only = record.passed[0];
    // The usual request: one credential, and it passed; nothing to weigh.
    if (record.failures.length === 0 && record.passed.length === 1 && only !== undefined) {
      record.principal = accepted.includes(only.scheme) ? only.principal : undefined;
      return next();
    }
    const refusal = credentialConflict(record, security);
    if (refusal !== undefined) return next(refusal);
    record.principal = chosenPrincipal(record, security);
    next();
  };
}
