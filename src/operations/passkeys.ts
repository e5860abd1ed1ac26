import type { components } from '../../generated/openapi.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { DeviceTokens } from '../auth/device-token.js';
import { notFound, THROTTLED_MESSAGE, tooManyRequests, unauthenticated, unavailable } from '../errors/api-error.js';
import type { MetricHooks } from '../metrics/hooks.js';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../passkeys/ceremonies.js';
import type { PasskeyAssertions } from '../passkeys/passkey-assertions.js';
import type { Passkeys } from '../passkeys/passkeys.js';
import type { StepUp } from '../second-factor/step-up.js';
import type { Sessions } from '../sessions/sessions.js';
import type { PasskeyRecord } from '../store/passkeys.js';
import type { Operations } from './operation.js';
import { signedIn } from './signed-in.js';

export interface PasskeyOperationDeps {
  passkeys: Passkeys;
  passkeyAssertions: PasskeyAssertions;
  sessions: Sessions;
  audit: AuditLog;
  devices: DeviceTokens;
  /** Sudo mode, with a fresh second factor for accounts that have one. */
  stepUp: StepUp;
  metrics: MetricHooks;
}

/** A passkey as its owner sees it: never its credential id or public key. */
function passkeyJson(record: PasskeyRecord): Schemas['Passkey'] {
  return {
    id: record.id,
    name: record.name,
    transports: record.transports,
    created_at: record.created_at,
    last_used_at: record.last_used_at,
  };
}

type Schemas = components['schemas'];

/**
 * The library's option types are interfaces (no index signature), the contract's are open
 * objects: the same JSON, which response validation checks in the tests.
 */
function contractOptions<Options>(options: object): Options {
  return options as Options;
}

type PasskeyOperationIds =
  | 'createMyPasskeyOptions'
  | 'createMyPasskey'
  | 'listMyPasskeys'
  | 'deleteMyPasskey'
  | 'createPasskeySignInOptions'
  | 'loginWithPasskey';

/**
 * Passkeys: a signed-in session in sudo mode registers one, anyone signs in with one. The
 * contract checks the credentials' JSON shape; the library checks what they prove. Another
 * user's passkey is "not found", so ids cannot be probed.
 */
export function passkeysOperations({
  passkeys,
  passkeyAssertions,
  sessions,
  audit,
  devices,
  stepUp,
  metrics,
}: PasskeyOperationDeps): Operations<PasskeyOperationIds> {
  return {
    createMyPasskeyOptions: async (_input, context) => {
      const principal = context.principal;
      // The contract lets only the cookie in; this guards the handler, not the contract.
      if (principal.scheme !== 'session') throw unauthenticated('Not authenticated');
      // A new way in must not be added with a stolen cookie alone.
      await stepUp.require(principal, 'add a passkey');
      const started = await passkeys.registrationOptions(principal.user, principal.session.id);
      return {
        status: 200,
        body: {
          challenge_id: started.challengeId,
          options: contractOptions<Schemas['PasskeyRegistrationOptions']['options']>(started.options),
        },
      };
    },
    createMyPasskey: async ({ body }, context) => {
      const principal = context.principal;
      if (principal.scheme !== 'session') throw unauthenticated('Not authenticated');
      const record = await passkeys.register(
        principal.user,
        principal.session.id,
        {
          challengeId: body.challenge_id,
          name: body.name,
          credential: body.credential as unknown as RegistrationResponseJSON,
        },
        context.origin,
      );
      // The new passkey just proved itself (user verification included): this session has stepped
      // up, as after a two-step sign-in, as TOTP's first code does for its session.
      await sessions.markFactorVerified(principal.session);
      return { status: 201, body: passkeyJson(record) };
    },
    listMyPasskeys: async (_input, context) => {
      const list = await passkeys.list(context.principal.user.id);
      return { status: 200, body: { data: list.map(passkeyJson) } };
    },
    deleteMyPasskey: async ({ params }, context) => {
      await stepUp.require(context.principal, 'delete a passkey');
      if (!(await passkeys.deleteOwn(context.principal.user, params.id, context.origin)))
        throw notFound('Passkey not found');
      return { status: 204 };
    },
    createPasskeySignInOptions: async () => {
      const started = await passkeyAssertions.signInOptions().catch((error: unknown) => {
        throw unavailable('Sign-in is unavailable right now; try again shortly', error);
      });
      return {
        status: 200,
        body: {
          challenge_id: started.challengeId,
          options: contractOptions<Schemas['PasskeySignInOptions']['options']>(started.options),
        },
      };
    },
    loginWithPasskey: async ({ body }, context) => {
      const credential = body.credential as unknown as AuthenticationResponseJSON;
      const result = await passkeyAssertions
        .verifySignIn(body.challenge_id, credential, context.ip)
        .catch((error: unknown) => {
          // The store did not answer: no verdict on the passkey, so no 401 either.
          metrics.authOutcome('login', 'unavailable');
          throw unavailable('Sign-in is unavailable right now; try again shortly', error);
        });
      metrics.authOutcome('login', result.outcome === 'verified' ? 'ok' : result.outcome);
      if (result.outcome === 'throttled') {
        await audit.recordFrom(context.origin, {
          action: 'login.failed',
          outcome: 'failure',
          detail: { method: 'passkey', throttled: true },
        });
        throw tooManyRequests(THROTTLED_MESSAGE, result.retryAfterSeconds);
      }
      if (result.outcome === 'invalid') {
        await audit.recordFrom(context.origin, {
          action: 'login.failed',
          outcome: 'failure',
          ...(result.username === undefined ? {} : { username: result.username }),
          detail: { method: 'passkey', reason: result.reason },
        });
        throw unauthenticated('Invalid credentials');
      }
      // A passkey is a second factor by itself: the session starts having proved one (sudo mode open).
      const started = await sessions.startWithFactor(result.user, {
        userAgent: context.userAgent,
        ip: context.ip ?? null,
        previousToken: context.sessionCookieToken,
      });
      const deviceToken = devices.issue(result.user.id);
      return { status: 200, body: await signedIn(result.user, started, deviceToken, context, audit, 'passkey') };
    },
  };
}
