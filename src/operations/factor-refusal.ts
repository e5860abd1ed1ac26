import type { AuditLog } from '../audit/audit-log.js';
import { THROTTLED_MESSAGE, tooManyRequests, unauthenticated } from '../errors/api-error.js';
import type { CodeCheckResult } from '../second-factor/code-check.js';
import type { UserRecord } from '../store/users.js';
import type { RequestContext } from './request-context.js';

export interface RefusedFactorProof {
  /** The audit action of the step the proof was for: `login.failed` or `session.confirmed`. */
  action: 'login.failed' | 'session.confirmed';
  user: UserRecord;
  sessionId: string;
  /** `totp`, `recovery_code` or `passkey`. */
  factor: string;
  check: Exclude<CodeCheckResult, { outcome: 'verified' }>;
  /** Why it was refused, for the trail; left out of it when undefined. */
  reason?: string;
  /** The 401's message. */
  message: string;
}

/**
 * A second-factor proof (a code, a recovery code, a passkey) that did not pass, on any step that
 * asks for one: the failure is audited on the session, then answered 429 when the throttle held
 * it back, else 401.
 */
export async function refuseFactorProof(
  audit: AuditLog,
  context: RequestContext,
  { action, user, sessionId, factor, check, reason, message }: RefusedFactorProof,
): Promise<never> {
  const throttled = check.outcome === 'throttled';
  await audit.recordFrom(context.origin, {
    action,
    outcome: 'failure',
    username: user.username,
    subject: { type: 'session', id: sessionId },
    detail: throttled ? { factor, throttled: true } : reason === undefined ? { factor } : { factor, reason },
  });
  if (check.outcome === 'throttled') throw tooManyRequests(THROTTLED_MESSAGE, check.retryAfterSeconds);
  throw unauthenticated(message);
}
