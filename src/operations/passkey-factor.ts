import type { components } from '../../generated/openapi.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { DeviceTokens } from '../auth/device-token.js';
import { unauthenticated, unavailable } from '../errors/api-error.js';
import { Conflict } from '../errors/domain-errors.js';
import type { AuthenticationResponseJSON } from '../passkeys/ceremonies.js';
import type { FactorPurpose, PasskeyAssertions } from '../passkeys/passkey-assertions.js';
import type { CodeCheck, CodeCheckResult } from '../second-factor/code-check.js';
import type { Sessions } from '../sessions/sessions.js';
import type { SessionRecord } from '../store/sessions.js';
import type { UserRecord } from '../store/users.js';
import { type RefusedFactorProof, refuseFactorProof } from './factor-refusal.js';
import type { Operations } from './operation.js';
import type { RequestContext } from './request-context.js';
import { confirmedAnswer } from './session-confirm.js';
import { signedIn } from './signed-in.js';

export interface PasskeyFactorDeps {
  passkeyAssertions: PasskeyAssertions;
  codes: CodeCheck;
  sessions: Sessions;
  devices: DeviceTokens;
  audit: AuditLog;
}

export const INVALID_PASSKEY_MESSAGE = 'Invalid passkey';
const NO_PASSKEY = 'This account has no passkey';
const UNAVAILABLE = 'Passkeys are unavailable right now; try again shortly';

type Options = components['schemas']['PasskeySignInOptions'];
type Proof = components['schemas']['PasskeySignInRequest'];
type Caller = { user: UserRecord; session: SessionRecord };

type PasskeyFactorOperationIds =
  | 'createPasskeySecondStepOptions'
  | 'loginWithPasskeySecondStep'
  | 'createPasskeyConfirmOptions'
  | 'confirmMySessionWithPasskey';

/**
 * A passkey as the second factor of a user known already: it finishes a two-step sign-in (the
 * pending cookie, as POST /login/totp) and it reopens sudo mode (a session, as POST
 * /me/session/confirm). Each challenge is bound to the session that asked for it and to its
 * purpose, and each assertion is counted under the code throttle before it is checked.
 */
export function passkeyFactorOperations({
  passkeyAssertions,
  codes,
  sessions,
  devices,
  audit,
}: PasskeyFactorDeps): Operations<PasskeyFactorOperationIds> {
  /** The caller, when its cookie is of the kind the operation takes (the contract guards it already). */
  const callerOf = (context: RequestContext, pending: boolean): Caller => {
    const principal = context.principal;
    if (principal.scheme !== 'session' || (principal.session.pending_until !== null) !== pending)
      throw unauthenticated('Not authenticated');
    return principal;
  };

  const options = async ({ user, session }: Caller, purpose: FactorPurpose) => {
    const started = await passkeyAssertions.factorOptions(user, session.id, purpose);
    if (started === undefined) throw new Conflict(NO_PASSKEY);
    return {
      status: 200 as const,
      // The library's option type is an interface, the contract's an open object: the same JSON.
      body: { challenge_id: started.challengeId, options: started.options as unknown as Options['options'] },
    };
  };

  /** The assertion under the code throttle; `reason` says why it failed, for the audit trail. */
  const prove = async (
    { user, session }: Caller,
    purpose: FactorPurpose,
    body: Proof,
    context: RequestContext,
  ): Promise<{ check: CodeCheckResult; reason: string }> => {
    let reason = '';
    const credential = body.credential as unknown as AuthenticationResponseJSON;
    const check = await codes
      .underThrottle(user, context.passwordClient, async () => {
        const result = await passkeyAssertions.verifyFactor(user, session.id, purpose, body.challenge_id, credential);
        if (result.outcome === 'invalid') reason = result.reason;
        return result.outcome === 'verified';
      })
      .catch((error: unknown) => {
        throw unavailable(UNAVAILABLE, error);
      });
    return { check, reason };
  };

  /** What refuseFactorProof needs of a passkey that did not pass, besides the step's action. */
  const refusal = (
    { user, session }: Caller,
    check: Exclude<CodeCheckResult, { outcome: 'verified' }>,
    reason: string,
  ): Omit<RefusedFactorProof, 'action'> => ({
    user,
    sessionId: session.id,
    factor: 'passkey',
    check,
    reason,
    message: INVALID_PASSKEY_MESSAGE,
  });

  return {
    createPasskeySecondStepOptions: (_input, context) => options(callerOf(context, true), 'second_factor'),
    loginWithPasskeySecondStep: async ({ body }, context) => {
      const caller = callerOf(context, true);
      const { user, session } = caller;
      const { check, reason } = await prove(caller, 'second_factor', body, context);
      if (check.outcome !== 'verified')
        return refuseFactorProof(audit, context, { action: 'login.failed', ...refusal(caller, check, reason) });
      const started = await sessions.completePending(session, user, {
        userAgent: context.userAgent,
        ip: context.ip ?? null,
      });
      // Another request finished this sign-in first.
      if (started === null) throw unauthenticated('Not authenticated');
      return { status: 200, body: await signedIn(user, started, devices.issue(user.id), context, audit, 'passkey') };
    },
    createPasskeyConfirmOptions: (_input, context) => options(callerOf(context, false), 'step_up'),
    confirmMySessionWithPasskey: async ({ body }, context) => {
      const caller = callerOf(context, false);
      const { user, session } = caller;
      const { check, reason } = await prove(caller, 'step_up', body, context);
      if (check.outcome !== 'verified')
        return refuseFactorProof(audit, context, { action: 'session.confirmed', ...refusal(caller, check, reason) });
      // A passkey proves possession and its user at once: it stands for the password and the code.
      return confirmedAnswer(audit, context, user, await sessions.confirmPasswordAndFactor(session), 'passkey');
    },
  };
}
