import type { AuditLog } from '../audit/audit-log.js';
import type { PasswordCheck } from '../auth/password-check.js';
import { THROTTLED_MESSAGE, tooManyRequests, unauthenticated, validationFailed } from '../errors/api-error.js';
import type { StepUp } from '../second-factor/step-up.js';
import type { Store } from '../store/store.js';
import type { UserService } from '../users/user-service.js';
import type { Operations } from './operation.js';
import { userJson } from './user-json.js';

export interface MeOperationDeps {
  store: Store;
  users: UserService;
  passwords: PasswordCheck;
  audit: AuditLog;
  stepUp: StepUp;
}

/** The caller's own account, whatever credential they came with. */
export function meOperations({
  store,
  users,
  passwords,
  audit,
  stepUp,
}: MeOperationDeps): Operations<'getMe' | 'changeMyPassword'> {
  return {
    getMe: (_input, context) => {
      const principal = context.principal;
      return {
        status: 200,
        body: {
          user: userJson(principal.user),
          auth:
            principal.scheme === 'api_key'
              ? { scheme: principal.scheme, permissions: principal.permissions }
              : { scheme: principal.scheme },
        },
      };
    },
    changeMyPassword: async ({ body }, context) => {
      const principal = context.principal;
      const { current_password: currentPassword, new_password: newPassword, revoke_api_keys: revokeApiKeys } = body;
      // The current password alone is what a thief of it has: with a second factor, the factor too.
      await stepUp.requireForFactorAccounts(principal, 'change your password');
      // Read afresh: the principal may come from a cache, and the hash is what is checked here.
      const user = await store.users.findById(principal.user.id);
      if (user === undefined || user.disabled) throw unauthenticated('Invalid credentials');
      // Through the throttle: a stolen session must not be able to guess the password it lacks.
      const check = await passwords.verify(user.username, currentPassword, context.passwordClient);
      if (check.outcome === 'throttled') throw tooManyRequests(THROTTLED_MESSAGE, check.retryAfterSeconds);
      if (check.outcome === 'invalid' || check.user.id !== user.id) {
        await audit.recordFrom(context.origin, {
          action: 'password.changed',
          outcome: 'failure',
          username: user.username,
          subject: { type: 'user', id: user.id },
          detail: { reason: 'wrong_current_password' },
        });
        throw validationFailed([{ path: '/body/current_password', message: 'Current password is not correct' }]);
      }
      await users.setPassword(user, newPassword, context.origin, {
        keepSessionId: context.currentSessionId,
        revokeApiKeys: revokeApiKeys === true,
      });
      return { status: 204 };
    },
  };
}
