import type { components } from '../../generated/openapi.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { PasswordCheck } from '../auth/password-check.js';
import { notFound, THROTTLED_MESSAGE, tooManyRequests, unauthenticated, unavailable } from '../errors/api-error.js';
import type { MetricHooks } from '../metrics/hooks.js';
import type { SecondFactors } from '../second-factor/second-factors.js';
import type { Sessions } from '../sessions/sessions.js';
import type { SessionRecord } from '../store/sessions.js';
import type { Operations } from './operation.js';
import { signedIn } from './signed-in.js';
import { userJson } from './user-json.js';

export interface SessionOperationDeps {
  sessions: Sessions;
  passwords: PasswordCheck;
  audit: AuditLog;
  metrics: MetricHooks;
  secondFactors: SecondFactors;
}

/** A session as its owner sees it: never its token or CSRF hash. */
function sessionJson(
  record: SessionRecord,
  currentId: string | undefined,
  sessions: Sessions,
): components['schemas']['Session'] {
  return {
    id: record.id,
    created_at: record.created_at,
    last_seen_at: record.last_seen_at,
    expires_at: sessions.expiry(record).toISOString(),
    current: record.id === currentId,
    user_agent: record.user_agent,
    ip: record.ip,
  };
}

type SessionOperationIds =
  | 'login'
  | 'getDashboard'
  | 'logout'
  | 'listMySessions'
  | 'revokeMySession'
  | 'revokeMySessions'
  | 'getMySession';

/**
 * Sign in, the dashboard and sign out (the seed's cookie-session routes), and a user's own
 * sessions: list them, end one (a lost device), end all ("sign out everywhere"). Basic works for
 * the list too, so a user locked out of the browser can still end its sessions. Another user's
 * session is "not found", so ids cannot be probed.
 */
export function sessionOperations({
  sessions,
  passwords,
  audit,
  metrics,
  secondFactors,
}: SessionOperationDeps): Operations<SessionOperationIds> {
  return {
    login: async ({ body }, context) => {
      const { username, password } = body;
      const check = await passwords.verify(username, password, context.passwordClient).catch((error: unknown) => {
        // The store did not answer: no verdict on the password, so no 401 either.
        metrics.authOutcome('login', 'unavailable');
        throw unavailable('Sign-in is unavailable right now; try again shortly', error);
      });
      metrics.authOutcome('login', check.outcome === 'verified' ? 'ok' : check.outcome);
      if (check.outcome === 'throttled') {
        await audit.recordFrom(context.origin, {
          action: 'login.failed',
          outcome: 'failure',
          username,
          detail: { throttled: true },
        });
        throw tooManyRequests(THROTTLED_MESSAGE, check.retryAfterSeconds);
      }
      if (check.outcome === 'invalid') {
        await audit.recordFrom(context.origin, { action: 'login.failed', outcome: 'failure', username });
        throw unauthenticated('Invalid credentials');
      }
      const { user } = check;
      const client = {
        userAgent: context.userAgent,
        ip: context.ip ?? null,
        previousToken: context.sessionCookieToken,
      };

      const methods = await secondFactors.methodsOf(user.id);
      if (methods.length > 0) {
        // Half signed in: the cookie can finish the sign-in with a code and do nothing else. No
        // device cookie yet: it would spare a holder of the stolen password the account lock.
        const pending = await sessions.startPending(user, client);
        context.setSessionCookie(pending.token);
        await audit.recordFrom(context.origin, {
          action: 'login.mfa_required',
          outcome: 'success',
          username: user.username,
          subject: { type: 'session', id: pending.record.id },
        });
        return {
          status: 200,
          body: {
            mfa_required: true,
            methods,
            expires_at: pending.record.expires_at,
            csrf_token: pending.csrfToken,
          },
        };
      }
      const started = await sessions.start(user, client);
      return { status: 200, body: await signedIn(user, started, check.deviceToken, context, audit) };
    },
    getDashboard: (_input, context) => ({
      status: 200,
      body: { message: `Welcome to your dashboard, ${context.principal.user.username}!` },
    }),
    logout: async (_input, context) => {
      const principal = context.optionalPrincipal;
      const token = context.sessionCookieToken;
      if (principal?.scheme === 'session') await sessions.signOut(principal.session, context.origin);
      else if (typeof token === 'string')
        // A pending sign-in is no session to the authenticator, so it is looked up here. When the
        // store does not answer, it lapses by itself within minutes, as a full session whose check
        // failed is left to its own timeouts: signing out never fails.
        await sessions.signOutPending(token, context.origin).catch(() => false);
      context.clearSessionCookie();
      return { status: 200, body: { message: 'Logged out successfully' } };
    },
    listMySessions: async (_input, context) => {
      const live = await sessions.list(context.principal.user.id);
      const currentId = context.currentSessionId;
      return { status: 200, body: { data: live.map((record) => sessionJson(record, currentId, sessions)) } };
    },
    revokeMySession: async ({ params }, context) => {
      if (!(await sessions.revokeOwn(context.principal.user.id, params.id, context.origin)))
        throw notFound('Session not found');
      if (params.id === context.currentSessionId) context.clearSessionCookie();
      return { status: 204 };
    },
    getMySession: async (_input, context) => {
      const principal = context.principal;
      const token = context.sessionCookieToken;
      // The contract lets only the cookie in; this guards the handler, not the contract.
      if (principal.scheme !== 'session' || typeof token !== 'string') throw unauthenticated('Not authenticated');
      const record = principal.session;
      const csrfToken = await sessions.csrfToken(record, token);
      return {
        status: 200,
        body: {
          id: record.id,
          user: userJson(principal.user),
          expires_at: sessions.expiry(record).toISOString(),
          csrf_token: csrfToken,
        },
      };
    },
    revokeMySessions: async (_input, context) => {
      await sessions.signOutEverywhere(context.principal.user.id, context.origin);
      if (context.currentSessionId !== undefined) context.clearSessionCookie();
      return { status: 204 };
    },
  };
}
