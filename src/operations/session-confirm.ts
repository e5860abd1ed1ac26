import type { AuditLog } from '../audit/audit-log.js';
import type { PasswordCheck } from '../auth/password-check.js';
import { sudoExpiresAt } from '../auth/sudo-mode.js';
import type { Clock } from '../clock.js';
import { THROTTLED_MESSAGE, tooManyRequests, unauthenticated, unavailable } from '../errors/api-error.js';
import type { SessionRepository } from '../store/sessions.js';
import type { Operations } from './operation.js';

export interface SessionConfirmDeps {
  session: { sessions: SessionRepository; clock: Clock };
  passwords: PasswordCheck;
  audit: AuditLog;
}

/**
 * Sudo mode's way back in: the session proves its password again (GitHub's "confirm access").
 * The password goes through the same check and throttle as a sign-in, so a stolen cookie gains
 * no faster way to guess it; a wrong one leaves the session as it was.
 */
export function sessionConfirmOperations({
  session: { sessions, clock },
  passwords,
  audit,
}: SessionConfirmDeps): Operations<'confirmMySession'> {
  return {
    confirmMySession: async ({ body }, context) => {
      const principal = context.principal;
      // The contract lets only the cookie in; this guards the handler, not the contract.
      if (principal.scheme !== 'session') throw unauthenticated('Not authenticated');
      const { user, session } = principal;
      const subject = { type: 'session', id: session.id } as const;
      const check = await passwords.verify(user.username, body.password, context.passwordClient).catch((error) => {
        throw unavailable('Password confirmation is unavailable right now; try again shortly', error);
      });
      if (check.outcome === 'throttled') {
        await audit.recordFrom(context.origin, {
          action: 'session.confirmed',
          outcome: 'failure',
          username: user.username,
          subject,
          detail: { throttled: true },
        });
        throw tooManyRequests(THROTTLED_MESSAGE, check.retryAfterSeconds);
      }
      if (check.outcome === 'invalid' || check.user.id !== user.id) {
        await audit.recordFrom(context.origin, {
          action: 'session.confirmed',
          outcome: 'failure',
          username: user.username,
          subject,
          detail: { reason: 'wrong_password' },
        });
        throw unauthenticated('Invalid credentials');
      }
      const now = clock.now();
      // Signed out in the meantime: nothing left to confirm.
      if (!(await sessions.markReauthenticated(session.id, now))) throw unauthenticated('Not authenticated');
      await audit.recordFrom(context.origin, {
        action: 'session.confirmed',
        outcome: 'success',
        username: user.username,
        subject,
      });
      const confirmed = { ...session, reauthenticated_at: now.toISOString() };
      return {
        status: 200,
        body: { confirmed_at: now.toISOString(), sudo_expires_at: sudoExpiresAt(confirmed).toISOString() },
      };
    },
  };
}
