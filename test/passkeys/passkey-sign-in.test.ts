import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cookiesFrom, expectEnvelope, setCookieHeaders, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf } from '../support/typed-responses.js';
import { originOf, passkeySignIn, register, SoftwareAuthenticator, signIn, signInOptions } from './passkey-support.js';

let app: TestApp;
let authenticator: SoftwareAuthenticator;
beforeEach(async () => {
  app = await startTestApp({ config: { loginIpMaxFailures: 3 } });
  authenticator = new SoftwareAuthenticator(originOf(app));
  const registered = await register(app, await signIn(app), authenticator);
  expect(registered.status).toBe(201);
});
afterEach(() => app.close());

async function signIns() {
  return app.store.db
    .selectFrom('audit_events')
    .selectAll()
    .where('action', 'in', ['login.succeeded', 'login.failed'])
    .orderBy('occurred_at')
    .execute();
}

/** Set-Cookie without its values: names and attributes. */
function cookieShapes(headers: string[]): string[] {
  return headers.map((cookie) => cookie.replace(/=[^;]*/, '=…')).sort();
}

describe('POST /login/passkey/options', () => {
  it('200: request options for any discoverable passkey of the RP, user verification required', async () => {
    const { challenge_id, options } = await signInOptions(app);
    expect(challenge_id).toMatch(/^wch_/);
    expect(options).toMatchObject({ rpId: 'localhost', userVerification: 'required', allowCredentials: [] });
  });
});

describe('POST /login/passkey', () => {
  it('200: exactly what POST /login answers, cookies included; the session works; audited with method passkey', async () => {
    const answer = await passkeySignIn(app, authenticator);
    const body = bodyOf(answer, 'loginWithPasskey', 200);
    // Alice's password alone now owes the passkey: bob's sign-in shows what a finished one answers.
    const password = await app.call('POST', '/login', { body: { username: 'bob', password: 'securepass' } });
    const passwordBody = bodyOf(password, 'login', 200);
    expect(Object.keys(body).sort()).toEqual(Object.keys(passwordBody).sort());
    expect(body).toMatchObject({ message: 'Login successful', user: { username: 'alice' } });
    expect(cookieShapes(setCookieHeaders(answer))).toEqual(cookieShapes(setCookieHeaders(password)));
    const dashboard = await app.call('GET', '/dashboard', { headers: { cookie: cookiesFrom(answer) } });
    expect(bodyOf(dashboard, 'getDashboard', 200).message).toBe('Welcome to your dashboard, alice!');
    const [event] = (await signIns()).filter((e) => e.action === 'login.succeeded' && e.detail !== null);
    expect(event?.username).toBe('alice');
    expect(JSON.parse(event?.detail ?? '{}')).toMatchObject({ method: 'passkey' });
    const listed = await app.callOp('listMyPasskeys', { headers: { cookie: cookiesFrom(answer) } });
    expect(listed.body(200).data[0]?.last_used_at).toBe(app.clock.now().toISOString());
  });

  it('ends the session the browser came with, as POST /login does', async () => {
    const before = cookiesFrom(await app.call('POST', '/login', { body: { username: 'bob', password: 'securepass' } }));
    const { challenge_id, options } = await signInOptions(app);
    const answer = await app.call('POST', '/login/passkey', {
      headers: { cookie: before },
      body: { challenge_id, credential: authenticator.get(options) },
    });
    expect(answer.status).toBe(200);
    expect((await app.call('GET', '/dashboard', { headers: { cookie: before } })).status).toBe(401);
  });

  it('401 for a replayed challenge: the first use wins, the replay finds nothing', async () => {
    const { challenge_id, options } = await signInOptions(app);
    const first = await app.call('POST', '/login/passkey', {
      body: { challenge_id, credential: authenticator.get(options) },
    });
    expect(first.status).toBe(200);
    const replay = await app.call('POST', '/login/passkey', {
      body: { challenge_id, credential: authenticator.get(options) },
    });
    expectEnvelope(replay, 401, 'authentication_error', 'Invalid credentials');
    const failed = (await signIns()).filter((e) => e.action === 'login.failed');
    expect(failed.map((e) => JSON.parse(e.detail ?? '{}'))).toEqual([{ method: 'passkey', reason: 'stale_challenge' }]);
  });

  it('401 for an expired challenge', async () => {
    const { challenge_id, options } = await signInOptions(app);
    app.clock.advanceSeconds(5 * 60 + 1);
    const answer = await app.call('POST', '/login/passkey', {
      body: { challenge_id, credential: authenticator.get(options) },
    });
    expectEnvelope(answer, 401, 'authentication_error');
  });

  it('401 for a passkey nobody registered', async () => {
    const stranger = new SoftwareAuthenticator(originOf(app));
    stranger.create({ challenge: 'AA', rp: { id: 'localhost' }, user: { id: 'AA' } });
    expectEnvelope(await passkeySignIn(app, stranger), 401, 'authentication_error', 'Invalid credentials');
  });

  it.each([
    ['another origin', { origin: 'http://evil.example:3000' }],
    ['another RP ID', { rpId: 'evil.example' }],
    ['no user verification', { userVerified: false }],
    ['a creation instead of an assertion', { type: 'webauthn.create' }],
  ])('401 for %s; audited with the username', async (_case, tamper) => {
    expectEnvelope(await passkeySignIn(app, authenticator, tamper), 401, 'authentication_error', 'Invalid credentials');
    const failed = (await signIns()).filter((e) => e.action === 'login.failed');
    expect(failed.map((e) => e.username)).toEqual(['alice']);
  });

  it('401 for a counter that did not grow (a cloned authenticator), and the counter stays', async () => {
    expect((await passkeySignIn(app, authenticator)).status).toBe(200);
    expect((await passkeySignIn(app, authenticator, { counter: 7 })).status).toBe(200);
    expectEnvelope(await passkeySignIn(app, authenticator, { counter: 7 }), 401, 'authentication_error');
    expectEnvelope(await passkeySignIn(app, authenticator, { counter: 3 }), 401, 'authentication_error');
    const [stored] = await app.store.passkeys.listByUser((await app.store.users.findByUsername('alice'))?.id ?? '', 1);
    expect(stored?.counter).toBe(7);
    expect((await passkeySignIn(app, authenticator, { counter: 8 })).status).toBe(200);
  });

  it('401 for a disabled user', async () => {
    const alice = await app.store.users.findByUsername('alice');
    await app.store.db
      .updateTable('users')
      .set({ disabled: 1 })
      .where('id', '=', alice?.id ?? '')
      .execute();
    expectEnvelope(await passkeySignIn(app, authenticator), 401, 'authentication_error');
  });

  it('429 once the address has failed LOGIN_IP_MAX_FAILURES times in the hour, before anything is checked', async () => {
    for (let i = 0; i < 3; i++)
      expect((await passkeySignIn(app, authenticator, { userVerified: false })).status).toBe(401);
    const refused = await passkeySignIn(app, authenticator);
    expectEnvelope(refused, 429, 'rate_limit_error', 'Too many failed attempts, try again later');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    app.clock.advanceMinutes(61);
    expect((await passkeySignIn(app, authenticator)).status).toBe(200);
  });

  it('a success gives its point back: successes never add up to a block', async () => {
    for (let i = 0; i < 5; i++) expect((await passkeySignIn(app, authenticator)).status).toBe(200);
  });

  it('422 for a body without a credential', async () => {
    const { challenge_id } = await signInOptions(app);
    expectEnvelope(await app.call('POST', '/login/passkey', { body: { challenge_id } }), 422, 'validation_error');
  });
});
