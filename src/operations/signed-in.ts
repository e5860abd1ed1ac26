import type { components } from '../../generated/openapi.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { SignInMethod } from '../second-factor/second-factors.js';
import type { StartedSession } from '../sessions/sessions.js';
import type { UserRecord } from '../store/users.js';
import type { RequestContext } from './request-context.js';
import { userJson } from './user-json.js';

/**
 * What a finished sign-in answers, from `POST /login` for an account without a second factor
 * and from its second step for one with: the session cookie, the device cookie, the audit
 * event (with the second factor that finished it, if any) and the same body.
 */
export async function signedIn(
  user: UserRecord,
  started: StartedSession,
  deviceToken: string,
  context: RequestContext,
  audit: AuditLog,
  method?: SignInMethod,
): Promise<components['schemas']['LoginResponse']> {
  context.setSessionCookie(started.token);
  context.setDeviceCookie(deviceToken);
  await audit.recordFrom(context.origin, {
    action: 'login.succeeded',
    outcome: 'success',
    username: user.username,
    subject: { type: 'session', id: started.record.id },
    ...(method === undefined ? {} : { detail: { method } }),
  });
  return {
    message: 'Login successful',
    user: userJson(user),
    expires_at: started.record.expires_at,
    csrf_token: started.csrfToken,
  };
}
