import type { AuditLog } from '../audit/audit-log.js';
import type { PasswordCheck } from '../auth/password-check.js';
import { sudoExpiresAt } from '../auth/sudo-mode.js';
import { THROTTLED_MESSAGE, tooManyRequests, unauthenticated, unavailable } from '../errors/api-error.js';
import { type CodeCheck, codeProofOf } from '../second-factor/code-check.js';
import type { SecondFactors } from '../second-factor/second-factors.js';
import type { ConfirmedSession, Sessions } from '../sessions/sessions.js';
import type { UserRecord } from '../store/users.js';
import { refuseFactorProof } from './factor-refusal.js';
import { INVALID_CODE_MESSAGE } from './login-totp.js';
import type { Operations } from './operation.js';
import type { RequestContext } from './request-context.js';

export interface SessionConfirmDeps {
  sessions: Sessions;
  passwords: PasswordCheck;
  audit: AuditLog;
  secondFactors: SecondFactors;
  codes: CodeCheck;
}

export const CODE_NEEDED_MESSAGE = 'This account has a second factor: send code or recovery_code with the password';

/**
 * Sudo mode's way back in: the session proves its password again (GitHub's "confirm access").
 * The password goes through the same check and throttle as a sign-in, so a stolen cookie gains
 * no faster way to guess it; a wrong one leaves the session as it was. An account with a second
 * factor confirms a code with the password (under the same throttle), or nothing is confirmed.
 */
export function sessionConfirmOperations({
  sessions,
  passwords,
  audit,
  secondFactors,
  codes,
}: SessionConfirmDeps): Operations<'confirmMySession'> {
  return {
    confirmMySession: async ({ body }, context) => {
      const principal = context.principal;
      // The contract lets only the cookie in; this guards the handler, not the contract.
      if (principal.scheme !== 'session') throw unauthenticated('Not authenticated');
      const { user, session } = principal;
      const subject = { type: 'session', id: session.id } as const;
      const hasFactor = await secondFactors.hasAny(user.id);
      const proof = codeProofOf(body);
      if (hasFactor && proof === undefined) {
        await audit.recordFrom(context.origin, {
          action: 'session.confirmed',
          outcome: 'failure',
          username: user.username,
          subject,
          detail: { reason: 'code_required' },
        });
        throw unauthenticated(CODE_NEEDED_MESSAGE);
      }
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
      if (hasFactor && proof !== undefined) {
        const code = await codes.verify(user, proof, context.passwordClient, context.origin).catch((error) => {
          throw unavailable('Password confirmation is unavailable right now; try again shortly', error);
        });
        if (code.outcome !== 'verified')
          return refuseFactorProof(audit, context, {
            action: 'session.confirmed',
            user,
            sessionId: session.id,
            factor: proof.kind,
            check: code,
            reason: 'wrong_code',
            message: INVALID_CODE_MESSAGE,
          });
      }
      const confirmed = hasFactor
        ? await sessions.confirmPasswordAndFactor(session)
        : await sessions.confirmPassword(session);
      return confirmedAnswer(audit, context, user, confirmed, hasFactor ? proof?.kind : undefined);
    },
  };
}

/**
 * The answer to a confirmation that passed: audited, with the factor when one was proved, and
 * sudo mode's new expiry. A session signed out in the meantime (null) has nothing to confirm.
 */
export async function confirmedAnswer(
  audit: AuditLog,
  context: RequestContext,
  user: UserRecord,
  confirmed: ConfirmedSession | null,
  factor: string | undefined,
): Promise<{ status: 200; body: { confirmed_at: string; sudo_expires_at: string } }> {
  if (confirmed === null) throw unauthenticated('Not authenticated');
  await audit.recordFrom(context.origin, {
    action: 'session.confirmed',
    outcome: 'success',
    username: user.username,
    subject: { type: 'session', id: confirmed.id },
    ...(factor === undefined ? {} : { detail: { factor } }),
  });
  return {
    status: 200,
    body: { confirmed_at: confirmed.reauthenticated_at, sudo_expires_at: sudoExpiresAt(confirmed).toISOString() },
  };
}
