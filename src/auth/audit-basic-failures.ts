import type { Request } from 'express';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuthFailure } from './auth-record.js';
import type { SecurityHandlers } from './security-handlers.js';

function refusedBasic(req: Request): AuthFailure | undefined {
  return req.auth?.failures.find((failure) => failure.scheme === 'basicAuth' && failure.reason === 'invalid');
}

/**
 * Records `basic.failed` for Basic credentials the Basic handler turned away, with the username
 * they named (never the password). It costs one insert, after the bcrypt compare that already
 * ran; a missing header or a valid user lacking a role is not a failure of this kind.
 */
export function auditBasicFailures(handlers: SecurityHandlers, audit: AuditLog): SecurityHandlers {
  const basicAuth: SecurityHandlers['basicAuth'] = async (req, scopes) => {
    const passed = await handlers.basicAuth(req, scopes);
    const refusal = passed ? undefined : refusedBasic(req);
    if (refusal !== undefined) {
      // The authenticator names the user only when the header was well formed.
      const username = refusal.username;
      await audit.record(req, {
        action: 'basic.failed',
        outcome: 'failure',
        ...(username === undefined ? { detail: { reason: 'malformed' } } : { username }),
        ...(refusal.message === undefined ? {} : { detail: { reason: 'second_factor_required' } }),
      });
    }
    return passed;
  };
  return { ...handlers, basicAuth };
}
