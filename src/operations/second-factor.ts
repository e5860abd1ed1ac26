import type { AuditLog } from '../audit/audit-log.js';
import type { PasswordCheck } from '../auth/password-check.js';
import { requireRecentPassword } from '../auth/sudo-mode.js';
import type { Clock } from '../clock.js';
import {
  THROTTLED_MESSAGE,
  tooManyRequests,
  unauthenticated,
  unavailable,
  validationFailed,
} from '../errors/api-error.js';
import { Conflict } from '../errors/domain-errors.js';
import { type CodeCheck, codeProofOf } from '../second-factor/code-check.js';
import { type SecondFactors, TOTP_NOT_ON } from '../second-factor/second-factors.js';
import type { StepUp } from '../second-factor/step-up.js';
import type { Sessions } from '../sessions/sessions.js';
import type { Operations } from './operation.js';

export interface SecondFactorOperationDeps {
  secondFactors: SecondFactors;
  passwords: PasswordCheck;
  codes: CodeCheck;
  stepUp: StepUp;
  sessions: Sessions;
  audit: AuditLog;
  clock: Clock;
}

type SecondFactorOperationIds =
  | 'getMySecondFactors'
  | 'enrolMyTotp'
  | 'confirmMyTotp'
  | 'disableMyTotp'
  | 'regenerateMyRecoveryCodes';

/**
 * The caller's own second factors: turn TOTP on (a secret, then a first code that proves the
 * app holds it), off (password and code, both checked afresh), and new recovery codes.
 */
export function secondFactorOperations({
  secondFactors,
  passwords,
  codes,
  stepUp,
  sessions,
  audit,
  clock,
}: SecondFactorOperationDeps): Operations<SecondFactorOperationIds> {
  return {
    getMySecondFactors: async (_input, context) => {
      const userId = context.principal.user.id;
      const [factors, left] = await Promise.all([
        secondFactors.factorsOf(userId),
        secondFactors.recoveryCodesLeft(userId),
      ]);
      return { status: 200, body: { totp: factors.totp, recovery_codes_remaining: left, passkeys: factors.passkeys } };
    },
    enrolMyTotp: async (_input, context) => {
      // Whoever turns TOTP on decides who can sign in next: a stolen cookie must not lock the owner out.
      requireRecentPassword(context.principal, clock.now(), 'turn on TOTP');
      const enrolment = await secondFactors.startTotp(context.principal.user, context.origin);
      return { status: 201, body: enrolment };
    },
    confirmMyTotp: async ({ body }, context) => {
      const principal = context.principal;
      const recoveryCodes = await secondFactors.confirmTotp(principal.user, body.code, context.origin, {
        keepSessionId: context.currentSessionId,
      });
      // The code just proved the factor: this session has stepped up, as after a two-step sign-in.
      if (principal.scheme === 'session') await sessions.markFactorVerified(principal.session);
      return { status: 200, body: { recovery_codes: recoveryCodes } };
    },
    disableMyTotp: async ({ body }, context) => {
      const user = context.principal.user;
      const proof = codeProofOf(body);
      if (proof === undefined) throw validationFailed([{ path: '/body/code', message: 'Send code or recovery_code' }]);
      if (!(await secondFactors.factorsOf(user.id)).totp) throw new Conflict(TOTP_NOT_ON);
      const subject = { type: 'user', id: user.id } as const;
      const check = await passwords.verify(user.username, body.password, context.passwordClient).catch((error) => {
        throw unavailable('Turning TOTP off is unavailable right now; try again shortly', error);
      });
      if (check.outcome === 'throttled') throw tooManyRequests(THROTTLED_MESSAGE, check.retryAfterSeconds);
      if (check.outcome === 'invalid' || check.user.id !== user.id) {
        await audit.recordFrom(context.origin, {
          action: 'totp.disabled',
          outcome: 'failure',
          username: user.username,
          subject,
          detail: { reason: 'wrong_password' },
        });
        throw validationFailed([{ path: '/body/password', message: 'Password is not correct' }]);
      }
      const code = await codes.verify(user, proof, context.passwordClient, context.origin).catch((error) => {
        throw unavailable('Turning TOTP off is unavailable right now; try again shortly', error);
      });
      if (code.outcome === 'throttled') throw tooManyRequests(THROTTLED_MESSAGE, code.retryAfterSeconds);
      if (code.outcome === 'invalid') {
        await audit.recordFrom(context.origin, {
          action: 'totp.disabled',
          outcome: 'failure',
          username: user.username,
          subject,
          detail: { reason: 'wrong_code', factor: proof.kind },
        });
        const field = proof.kind === 'totp' ? 'code' : 'recovery_code';
        throw validationFailed([{ path: `/body/${field}`, message: 'Code is not correct' }]);
      }
      await secondFactors.disableTotp(user, context.origin);
      return { status: 204 };
    },
    regenerateMyRecoveryCodes: async (_input, context) => {
      const principal = context.principal;
      if (principal.scheme !== 'session') throw unauthenticated('Not authenticated');
      await stepUp.require(principal, 'replace your recovery codes');
      const recoveryCodes = await secondFactors.regenerateRecoveryCodes(principal.user, context.origin);
      return { status: 200, body: { recovery_codes: recoveryCodes } };
    },
  };
}
