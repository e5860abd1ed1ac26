import type { components } from '../../generated/openapi.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { PasswordCheck } from '../auth/password-check.js';
import {
  csrfTokenFor,
  idleExpiry,
  isLive,
  type SessionAuthenticator,
  type SessionDeps,
  type SessionPolicy,
  startSession,
} from '../auth/session.js';
import { addMinutes } from '../clock.js';
import { sha256Hex } from '../crypto/tokens.js';
import { notFound, THROTTLED_MESSAGE, tooManyRequests, unauthenticated, unavailable } from '../errors/api-error.js';
import type { MetricHooks } from '../metrics/hooks.js';
import type { SessionRecord } from '../store/sessions.js';
import type { Operations } from './operation.js';
import { userJson } from './user-json.js';

export interface SessionOperationDeps {
  session: SessionDeps;
  authenticateSession: SessionAuthenticator;
  passwords: PasswordCheck;
  audit: AuditLog;
  metrics: MetricHooks;
}

/** The contract's bound on one list; nobody has a hundred live sessions by honest use. */
const MAX_LISTED = 100;

/** A session as its owner sees it: never its token or CSRF hash. */
function sessionJson(
  record: SessionRecord,
  currentId: string | undefined,
  policy: SessionPolicy,
): components['schemas']['Session'] {
  const idleEnd = idleExpiry(record, policy);
  const absoluteEnd = new Date(record.expires_at);
  return {
    id: record.id,
    created_at: record.created_at,
    last_seen_at: record.last_seen_at,
    expires_at: (idleEnd < absoluteEnd ? idleEnd : absoluteEnd).toISOString(),
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
  session,
  authenticateSession,
  passwords,
  audit,
  metrics,
}: SessionOperationDeps): Operations<SessionOperationIds> {
  const { sessions, clock, policy } = session;
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

      // A cookie sent along is never reused; if it named a live session, that one ends here.
      const previous = await authenticateSession(context.sessionCookieToken);
      if (previous.outcome === 'authenticated' && previous.principal.scheme === 'session') {
        await sessions.revoke(previous.principal.session.id, clock.now());
      }

      const started = await startSession(session, user, { userAgent: context.userAgent, ip: context.ip ?? null });
      context.setSessionCookie(started.token);
      context.setDeviceCookie(check.deviceToken);
      await audit.recordFrom(context.origin, {
        action: 'login.succeeded',
        outcome: 'success',
        username: user.username,
        subject: { type: 'session', id: started.record.id },
      });
      return {
        status: 200,
        body: {
          message: 'Login successful',
          user: userJson(user),
          expires_at: started.record.expires_at,
          csrf_token: started.csrfToken,
        },
      };
    },
    getDashboard: (_input, context) => ({
      status: 200,
      body: { message: `Welcome to your dashboard, ${context.principal.user.username}!` },
    }),
    logout: async (_input, context) => {
      const principal = context.optionalPrincipal;
      if (principal?.scheme === 'session') {
        await sessions.revoke(principal.session.id, clock.now());
        await audit.recordFrom(context.origin, {
          action: 'logout',
          outcome: 'success',
          subject: { type: 'session', id: principal.session.id },
        });
      }
      context.clearSessionCookie();
      return { status: 200, body: { message: 'Logged out successfully' } };
    },
    listMySessions: async (_input, context) => {
      const now = clock.now();
      const live = await sessions.listLiveByUser(
        context.principal.user.id,
        { now, seenSince: addMinutes(now, -policy.idleMinutes) },
        MAX_LISTED,
      );
      const currentId = context.currentSessionId;
      return { status: 200, body: { data: live.map((record) => sessionJson(record, currentId, policy)) } };
    },
    revokeMySession: async ({ params }, context) => {
      const now = clock.now();
      const record = await sessions.findById(params.id);
      const own = record !== undefined && record.user_id === context.principal.user.id && isLive(record, now, policy);
      // revoke() is conditional, so of two concurrent requests only one answers 204.
      if (!own || !(await sessions.revoke(record.id, now))) throw notFound('Session not found');
      if (record.id === context.currentSessionId) context.clearSessionCookie();
      await audit.recordFrom(context.origin, {
        action: 'session.revoked',
        outcome: 'success',
        subject: { type: 'session', id: record.id },
      });
      return { status: 204 };
    },
    getMySession: async (_input, context) => {
      const principal = context.principal;
      const token = context.sessionCookieToken;
      // The contract lets only the cookie in; this guards the handler, not the contract.
      if (principal.scheme !== 'session' || typeof token !== 'string') throw unauthenticated('Not authenticated');
      const record = principal.session;
      const csrfToken = csrfTokenFor(token);
      const csrfTokenHash = sha256Hex(csrfToken);
      // Sessions started before tokens were derived hold a random one that cannot be answered
      // again: from now on they use the derived one (the same on every call, so idempotent).
      if (record.csrf_token_hash !== csrfTokenHash)
        await sessions.replaceCsrfTokenHash(record.id, record.csrf_token_hash, csrfTokenHash);
      const { expires_at } = sessionJson(record, record.id, policy);
      return {
        status: 200,
        body: { id: record.id, user: userJson(principal.user), expires_at, csrf_token: csrfToken },
      };
    },
    revokeMySessions: async (_input, context) => {
      const user = context.principal.user;
      const count = await sessions.revokeAllForUser(user.id, clock.now());
      if (context.currentSessionId !== undefined) context.clearSessionCookie();
      await audit.recordFrom(context.origin, {
        action: 'session.revoked',
        outcome: 'success',
        subject: { type: 'user', id: user.id },
        detail: { scope: 'all', count },
      });
      return { status: 204 };
    },
  };
}
