import { Secret, TOTP } from 'otpauth';
import { cookiesFrom, type TestApp } from './test-app.js';
import { bodyOf } from './typed-responses.js';

/** The code an authenticator app shows for `secret` at the app's (manual) time, as a phone would compute it. */
export function totpCode(secret: string, app: Pick<TestApp, 'clock'>, offsetSeconds = 0): string {
  const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
  return totp.generate({ timestamp: app.clock.now().getTime() + offsetSeconds * 1000 });
}

/** A session's cookie and CSRF token, as headers. */
export type SessionHeaders = { cookie: string; 'x-csrf-token': string };

export interface TotpUser {
  secret: string;
  recoveryCodes: string[];
  /** The session that turned TOTP on (it proved the factor just now). */
  session: SessionHeaders;
}

/** Signs in with the password only (an account without a factor yet). */
export async function signIn(app: TestApp, username: string, password: string): Promise<SessionHeaders> {
  const login = await app.call('POST', '/login', { body: { username, password } });
  const body = bodyOf(login, 'login', 200);
  return { cookie: cookiesFrom(login), 'x-csrf-token': body.csrf_token };
}

/**
 * Turns TOTP on for a demo user through the API, then moves the clock to the next 30-second
 * step, so the code that confirmed it (used up) is not the one the next sign-in needs.
 */
export async function turnOnTotp(app: TestApp, username: string, password: string): Promise<TotpUser> {
  const session = await signIn(app, username, password);
  const enrolment = bodyOf(await app.call('POST', '/me/totp', { headers: session }), 'enrolMyTotp', 201);
  const confirmed = await app.call('POST', '/me/totp/confirm', {
    headers: session,
    body: { code: totpCode(enrolment.secret, app) },
  });
  const { recovery_codes: recoveryCodes } = bodyOf(confirmed, 'confirmMyTotp', 200);
  app.clock.advanceSeconds(30);
  return { secret: enrolment.secret, recoveryCodes, session };
}

/** The first step of a two-step sign-in: the pending cookie and its CSRF token. */
export async function pendingSignIn(app: TestApp, username: string, password: string): Promise<SessionHeaders> {
  const login = await app.call('POST', '/login', { body: { username, password } });
  const body = bodyOf(login, 'login', 200);
  if (!('mfa_required' in body)) throw new Error(`${username} signed in without a second step`);
  return { cookie: cookiesFrom(login), 'x-csrf-token': body.csrf_token };
}

/** Both steps: a full session that has just proved the factor (sudo mode open). */
export async function signInWithTotp(
  app: TestApp,
  username: string,
  password: string,
  secret: string,
): Promise<SessionHeaders> {
  const pending = await pendingSignIn(app, username, password);
  const done = await app.call('POST', '/login/totp', { headers: pending, body: { code: totpCode(secret, app) } });
  const body = bodyOf(done, 'loginWithTotp', 200);
  // The next code the test asks for must be of a later step.
  app.clock.advanceSeconds(30);
  return { cookie: cookiesFrom(done), 'x-csrf-token': body.csrf_token };
}
