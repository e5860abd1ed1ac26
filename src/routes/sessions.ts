import { Router } from 'express';
import type { AuditLog } from '../audit/audit-log.js';
import { principalOf } from '../auth/auth-record.js';
import type { PasswordCheck } from '../auth/password-check.js';
import { type SessionAuthenticator, type SessionDeps, startSession } from '../auth/session.js';
import { tooManyRequests, unauthenticated, unavailable } from '../errors/api-error.js';
import type { RequestJson, ResponseJson } from '../http/contract-types.js';
import { THROTTLED_MESSAGE } from '../rate-limit/brute-force-throttle.js';
import { userJson } from './user-json.js';

export interface SessionRouteDeps {
  session: SessionDeps;
  authenticateSession: SessionAuthenticator;
  passwords: PasswordCheck;
  audit: AuditLog;
}

/** Sign in, the dashboard and sign out: the seed's cookie-session routes. */
export function sessionRoutes({ session, authenticateSession, passwords, audit }: SessionRouteDeps): Router {
  const router = Router();

  router.post('/login', async (req, res) => {
    const { username, password } = req.body as RequestJson<'login'>;
    const check = await passwords.verify(username, password, req.ip).catch((error: unknown) => {
      // The store did not answer: no verdict on the password, so no 401 either.
      throw unavailable('Sign-in is unavailable right now; try again shortly', error);
    });
    if (check.outcome === 'throttled') {
      await audit.record(req, { action: 'login.failed', outcome: 'failure', username, detail: { throttled: true } });
      throw tooManyRequests(THROTTLED_MESSAGE, check.retryAfterSeconds);
    }
    if (check.outcome === 'invalid') {
      await audit.record(req, { action: 'login.failed', outcome: 'failure', username });
      throw unauthenticated('Invalid credentials');
    }
    const { user } = check;

    // A cookie sent along is never reused; if it named a live session, that one ends here.
    const previous = await authenticateSession(req.session?.token);
    if (previous.outcome === 'authenticated' && previous.principal.scheme === 'session') {
      await session.sessions.revoke(previous.principal.session.id, session.clock.now());
    }

    const started = await startSession(session, user, { userAgent: req.get('user-agent') ?? null, ip: req.ip ?? null });
    req.sessionOptions.secure = req.secure;
    req.session = { token: started.token };
    await audit.record(req, {
      action: 'login.succeeded',
      outcome: 'success',
      username: user.username,
      subject: { type: 'session', id: started.record.id },
    });
    const body: ResponseJson<'login', 200> = {
      message: 'Login successful',
      user: userJson(user),
      expires_at: started.record.expires_at,
      csrf_token: started.csrfToken,
    };
    res.json(body);
  });

  router.get('/dashboard', (req, res) => {
    const body: ResponseJson<'getDashboard', 200> = {
      message: `Welcome to your dashboard, ${principalOf(req).user.username}!`,
    };
    res.json(body);
  });

  router.post('/logout', async (req, res) => {
    const principal = req.auth?.principal;
    if (principal?.scheme === 'session') {
      await session.sessions.revoke(principal.session.id, session.clock.now());
      await audit.record(req, {
        action: 'logout',
        outcome: 'success',
        subject: { type: 'session', id: principal.session.id },
      });
    }
    req.session = null;
    const body: ResponseJson<'logout', 200> = { message: 'Logged out successfully' };
    res.json(body);
  });

  return router;
}
