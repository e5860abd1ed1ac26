import type { components } from '../../generated/openapi.js';
import { SoftwareAuthenticator, type Tampering } from '../support/software-authenticator.js';
import { cookiesFrom, type TestApp, type TestResponse } from '../support/test-app.js';
import { bodyOf } from '../support/typed-responses.js';

type Schemas = components['schemas'];
export type SessionHeaders = Record<string, string>;

/** The origin testConfig's WebAuthn settings accept (http://localhost:<PORT>). */
export function originOf(app: TestApp): string {
  return app.config.webauthn.origins[0] as string;
}

export async function signIn(app: TestApp, username = 'alice', password = 'password123'): Promise<SessionHeaders> {
  const login = await app.call('POST', '/login', { body: { username, password } });
  return { cookie: cookiesFrom(login), 'x-csrf-token': bodyOf(login, 'login', 200).csrf_token };
}

export async function registrationOptions(app: TestApp, session: SessionHeaders) {
  const answer = await app.callOp('createMyPasskeyOptions', { headers: session });
  return answer.body(200);
}

/** Options, the authenticator's credential, and POST /me/passkeys: the whole registration. */
export async function register(
  app: TestApp,
  session: SessionHeaders,
  authenticator: SoftwareAuthenticator,
  { name = 'Laptop', tamper = {} }: { name?: string; tamper?: Tampering } = {},
): Promise<TestResponse & { challengeId: string }> {
  const { challenge_id, options } = await registrationOptions(app, session);
  const credential = authenticator.create(options, tamper);
  const answer = await app.call('POST', '/me/passkeys', {
    headers: session,
    body: { challenge_id, name, credential },
  });
  return { ...answer, challengeId: challenge_id };
}

export async function signInOptions(app: TestApp): Promise<Schemas['PasskeySignInOptions']> {
  return (await app.callOp('createPasskeySignInOptions')).body(200);
}

/** Options, the authenticator's assertion, and POST /login/passkey: the whole sign-in. */
export async function passkeySignIn(
  app: TestApp,
  authenticator: SoftwareAuthenticator,
  tamper: Tampering = {},
): Promise<TestResponse> {
  const { challenge_id, options } = await signInOptions(app);
  const credential = authenticator.get(options, tamper);
  return app.call('POST', '/login/passkey', { body: { challenge_id, credential } });
}

export { SoftwareAuthenticator };

/** The second step of a two-step sign-in with a passkey: options for the pending cookie, the assertion, the answer. */
export async function passkeySecondStep(
  app: TestApp,
  pending: SessionHeaders,
  authenticator: SoftwareAuthenticator,
  tamper: Tampering = {},
): Promise<TestResponse> {
  const started = await app.call('POST', '/login/second-factor/passkey/options', { headers: pending });
  const { challenge_id, options } = bodyOf(started, 'createPasskeySecondStepOptions', 200);
  const credential = authenticator.get(options, tamper);
  return app.call('POST', '/login/second-factor/passkey', { headers: pending, body: { challenge_id, credential } });
}

/** Sudo mode with a passkey: options for the session, the assertion, POST /me/session/confirm/passkey. */
export async function confirmWithPasskey(
  app: TestApp,
  session: SessionHeaders,
  authenticator: SoftwareAuthenticator,
  tamper: Tampering = {},
): Promise<TestResponse> {
  const started = await app.call('POST', '/me/session/confirm/passkey/options', { headers: session });
  const { challenge_id, options } = bodyOf(started, 'createPasskeyConfirmOptions', 200);
  const credential = authenticator.get(options, tamper);
  return app.call('POST', '/me/session/confirm/passkey', { headers: session, body: { challenge_id, credential } });
}
