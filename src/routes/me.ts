import { Router } from 'express';
import { type AuditLog, requestOrigin } from '../audit/audit-log.js';
import { principalOf } from '../auth/auth-record.js';
import type { PasswordCheck } from '../auth/password-check.js';
import { tooManyRequests, unauthenticated, validationFailed } from '../errors/api-error.js';
import type { RequestJson, ResponseJson } from '../http/contract-types.js';
import { THROTTLED_MESSAGE } from '../rate-limit/brute-force-throttle.js';
import type { Store } from '../store/store.js';
import type { UserService } from '../users/user-service.js';
import { userJson } from './user-json.js';

export interface MeRouteDeps {
  store: Store;
  users: UserService;
  passwords: PasswordCheck;
  audit: AuditLog;
}

/** The caller's own account, whatever credential they came with. */
export function meRoutes({ store, users, passwords, audit }: MeRouteDeps): Router {
  const router = Router();

  router.get('/me', (req, res) => {
    const principal = principalOf(req);
    const body: ResponseJson<'getMe', 200> = {
      user: userJson(principal.user),
      auth:
        principal.scheme === 'api_key'
          ? { scheme: principal.scheme, permissions: principal.permissions }
          : { scheme: principal.scheme },
    };
    res.json(body);
  });

  router.post('/me/password', async (req, res) => {
    const principal = principalOf(req);
    const { current_password: currentPassword, new_password: newPassword } =
      req.body as RequestJson<'changeMyPassword'>;
    // Read afresh: the principal may come from a cache, and the hash is what is checked here.
    const user = await store.users.findById(principal.user.id);
    if (user === undefined || user.disabled !== 0) throw unauthenticated('Invalid credentials');
    // Through the throttle: a stolen session must not be able to guess the password it lacks.
    const check = await passwords.verify(user.username, currentPassword, req.ip);
    if (check.outcome === 'throttled') throw tooManyRequests(THROTTLED_MESSAGE, check.retryAfterSeconds);
    if (check.outcome === 'invalid' || check.user.id !== user.id) {
      await audit.record(req, {
        action: 'password.changed',
        outcome: 'failure',
        username: user.username,
        subject: { type: 'user', id: user.id },
        detail: { reason: 'wrong_current_password' },
      });
      throw validationFailed([{ path: '/body/current_password', message: 'Current password is not correct' }]);
    }
    const keepSessionId = principal.scheme === 'session' ? principal.session.id : undefined;
    await users.setPassword(user, newPassword, requestOrigin(req), keepSessionId);
    res.status(204).end();
  });

  return router;
}
