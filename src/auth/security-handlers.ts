import type { Request } from 'express';
import type { MetricHooks } from '../metrics/hooks.js';
import { type ApiKeyAuthenticator, bearerToken } from './api-key.js';
import { authRecordOf, type SecuritySchemeName } from './auth-record.js';
import type { BasicAuthenticator } from './basic.js';
import { passwordClientOf } from './password-check.js';
import type { Authentication, Principal } from './principal.js';
import type { SessionAuthenticator } from './session.js';

export interface Authenticators {
  basic: BasicAuthenticator;
  apiKey: ApiKeyAuthenticator;
  session: SessionAuthenticator;
}

type SecurityHandler = (req: Request, scopes: string[]) => Promise<boolean>;

/** Role lists name a user's role for human credentials and a key's permissions for API keys. */
function missingScopes(principal: Principal, scopes: string[]): string[] {
  if (principal.scheme === 'api_key')
    return scopes.filter((scope) => !principal.permissions.includes(scope as 'read' | 'write'));
  return scopes.filter((scope) => scope !== principal.user.role);
}

/**
 * When one request carries several valid credentials, the session wins: a browser sends its
 * cookie on its own, so it must be the principal the CSRF check sees — whichever handler ends first.
 */
const PRECEDENCE: Record<Principal['scheme'], number> = { session: 3, basic: 2, api_key: 1 };

function preferred(current: Principal | undefined, candidate: Principal): Principal {
  return current === undefined || PRECEDENCE[candidate.scheme] > PRECEDENCE[current.scheme] ? candidate : current;
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** Adapts the per-scheme authenticators to express-openapi-validator's handler contract. */
export function createSecurityHandlers(
  authenticators: Authenticators,
  metrics: MetricHooks,
): Record<SecuritySchemeName, SecurityHandler> {
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
        record.failures.push({ scheme, reason: 'invalid', missing: [], username: result.username });
        return false;
      }
      const missing = missingScopes(result.principal, scopes);
      if (missing.length > 0) {
        metrics.authOutcome(scheme, 'forbidden');
        record.failures.push({ scheme, reason: 'forbidden', missing });
        return false;
      }
      metrics.authOutcome(scheme, 'ok');
      record.principal = preferred(record.principal, result.principal);
      return true;
    };

  return {
    basicAuth: handle('basicAuth', (req) => authenticators.basic(req.headers.authorization, passwordClientOf(req))),
    bearerAuth: handle('bearerAuth', (req) => authenticators.apiKey(bearerToken(req.headers.authorization))),
    apiKey: handle('apiKey', (req) => authenticators.apiKey(singleHeader(req.headers['x-api-key']))),
    sessionCookie: handle('sessionCookie', (req) => authenticators.session(req.session?.token)),
  };
}
