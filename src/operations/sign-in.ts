import type { components } from '../../generated/openapi.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Sessions } from '../sessions/sessions.js';
import type { UserRecord } from '../store/users.js';
import type { RequestContext } from './request-context.js';
import { userJson } from './user-json.js';

export interface SignInDeps {
  sessions: Sessions;
  audit: AuditLog;
}

/**
 * The end of every sign-in, whatever proved the user: a new session (ending the one the
 * browser came with), its cookie, the device cookie, `login.succeeded`, and the one answer
 * `POST /login` documents. `detail` says how the user proved themselves when it was not a password.
 */
export async function completeSignIn(
  { sessions, audit }: SignInDeps,
  user: UserRecord,
  context: RequestContext,
  proof: { deviceToken: string; detail?: Record<string, string> },
): Promise<components['schemas']['LoginResponse']> {
  const started = await sessions.start(user, {
    userAgent: context.userAgent,
    ip: context.ip ?? null,
    previousToken: context.sessionCookieToken,
  });
  context.setSessionCookie(started.token);
  context.setDeviceCookie(proof.deviceToken);
  await audit.recordFrom(context.origin, {
    action: 'login.succeeded',
    outcome: 'success',
    username: user.username,
    subject: { type: 'session', id: started.record.id },
    ...(proof.detail === undefined ? {} : { detail: proof.detail }),
  });
  return {
    message: 'Login successful',
    user: userJson(user),
    expires_at: started.record.expires_at,
    csrf_token: started.csrfToken,
  };
}
