import type { AuditLog } from '../audit/audit-log.js';
import type { DeviceTokens } from '../auth/device-token.js';
import { unauthenticated, unavailable } from '../errors/api-error.js';
import { type CodeCheck, codeProofOf } from '../second-factor/code-check.js';
import type { Sessions } from '../sessions/sessions.js';
import { refuseFactorProof } from './factor-refusal.js';
import type { Operations } from './operation.js';
import { signedIn } from './signed-in.js';

export interface LoginTotpDeps {
  sessions: Sessions;
  codes: CodeCheck;
  devices: DeviceTokens;
  audit: AuditLog;
}

export const INVALID_CODE_MESSAGE = 'Invalid code';

/**
 * The second step of a two-step sign-in: the pending sign-in's cookie (the contract's
 * `x-pending-sign-in` lets nothing else in) and a code. The code goes through the brute-force
 * throttle before it is checked; a good one ends the pending sign-in and answers what a
 * one-step sign-in answers.
 */
export function loginTotpOperations({ sessions, codes, devices, audit }: LoginTotpDeps): Operations<'loginWithTotp'> {
  return {
    loginWithTotp: async ({ body }, context) => {
      const principal = context.principal;
      // The contract lets only the pending cookie in; this guards the handler, not the contract.
      const proof = codeProofOf(body);
      if (principal.scheme !== 'session' || principal.session.pending_until === null || proof === undefined)
        throw unauthenticated('Not authenticated');
      const { user, session } = principal;
      const factor = proof.kind;
      const check = await codes.verify(user, proof, context.passwordClient, context.origin).catch((error: unknown) => {
        throw unavailable('Sign-in is unavailable right now; try again shortly', error);
      });
      if (check.outcome !== 'verified')
        return refuseFactorProof(audit, context, {
          action: 'login.failed',
          user,
          sessionId: session.id,
          factor,
          check,
          message: INVALID_CODE_MESSAGE,
        });
      const started = await sessions.completePending(session, user, {
        userAgent: context.userAgent,
        ip: context.ip ?? null,
      });
      // Another request finished this sign-in first with another good code.
      if (started === null) throw unauthenticated('Not authenticated');
      return { status: 200, body: await signedIn(user, started, devices.issue(user.id), context, audit, factor) };
    },
  };
}
