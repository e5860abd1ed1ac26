import { afterEach, describe, expect, it } from 'vitest';
import { pendingSignIn, turnOnTotp } from '../support/second-factor.js';
import { basic, cookiesFrom, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf } from '../support/typed-responses.js';
import {
  originOf,
  passkeySecondStep,
  passkeySignIn,
  register,
  type SessionHeaders,
  SoftwareAuthenticator,
  signIn,
  signInOptions,
} from './passkey-support.js';

/** Passkeys as a second factor: counted, refusing Basic, and finishing a two-step sign-in. */
let app: TestApp;
afterEach(() => app.close());

const ADMIN = basic('admin', 'supersecret');

/** An app where alice holds a passkey (and nothing else) on `authenticator`. */
async function aliceWithPasskey(config: Parameters<typeof startTestApp>[0] = {}) {
  app = await startTestApp(config);
  const authenticator = new SoftwareAuthenticator(originOf(app));
  expect((await register(app, await signIn(app), authenticator)).status).toBe(201);
  return authenticator;
}

async function userId(username: string): Promise<string> {
  const row = await app.store.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
  return row?.id ?? 'missing';
}

async function events(action: string) {
  return app.store.db.selectFrom('audit_events').selectAll().where('action', '=', action).execute();
}

const second = (pending: SessionHeaders, body: unknown) =>
  app.call('POST', '/login/second-factor/passkey', { headers: pending, body });

describe('a passkey counts as a second factor', () => {
  it('admins see it; POST /login answers mfa_required with methods ["passkey"]', async () => {
    await aliceWithPasskey();
    const list = bodyOf(await app.call('GET', '/users', { headers: ADMIN }), 'listUsers', 200).data;
    expect(Object.fromEntries(list.map((u) => [u.username, u.second_factors]))).toMatchObject({
      alice: { totp: false, passkeys: 1 },
      bob: { totp: false, passkeys: 0 },
    });
    const login = await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    expect(bodyOf(login, 'login', 200)).toMatchObject({ mfa_required: true, methods: ['passkey'] });
  });

  it('registering the first bumps credential_version and ends other sessions: Basic, cached a moment before, is refused after', async () => {
    app = await startTestApp();
    const authenticator = new SoftwareAuthenticator(originOf(app));
    const before = await app.store.users.findByUsername('alice');
    expect((await app.call('GET', '/me', { headers: basic('alice', 'password123') })).status).toBe(200);
    const elsewhere = await signIn(app);
    const here = await signIn(app);
    expect((await register(app, here, authenticator)).status).toBe(201);
    // The first factor ends the other sessions (signed in with the password alone), not this one.
    expectEnvelope(await app.call('GET', '/dashboard', { headers: elsewhere }), 401, 'authentication_error');
    expect((await app.call('GET', '/dashboard', { headers: here })).status).toBe(200);
    const after = await app.store.users.findByUsername('alice');
    expect(after?.credential_version).toBe((before?.credential_version ?? 0) + 1);
    expectEnvelope(
      await app.call('GET', '/me', { headers: basic('alice', 'password123') }),
      401,
      'authentication_error',
    );
  });

  it('the admin reset removes passkeys too, audited; the password then signs in alone', async () => {
    const authenticator = await aliceWithPasskey();
    const id = await userId('alice');
    expect((await app.call('DELETE', `/users/${id}/second-factors`, { headers: ADMIN })).status).toBe(204);
    expect(await app.store.db.selectFrom('passkeys').selectAll().execute()).toEqual([]);
    const [event] = await events('second_factors.reset');
    expect(JSON.parse(event?.detail ?? '{}')).toEqual({ totp: false, passkeys: 1 });
    const login = await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    expect('user' in bodyOf(login, 'login', 200)).toBe(true);
    expectEnvelope(await passkeySignIn(app, authenticator), 401, 'authentication_error');
  });

  it('a sign-in with the passkey alone starts a session that has proved a factor: sudo mode is open', async () => {
    const authenticator = await aliceWithPasskey();
    const answer = await passkeySignIn(app, authenticator);
    const session = { cookie: cookiesFrom(answer), 'x-csrf-token': bodyOf(answer, 'loginWithPasskey', 200).csrf_token };
    const stored = await app.store.db.selectFrom('sessions').selectAll().orderBy('created_at', 'desc').execute();
    expect(stored[0]?.factor_verified_at).toBe(app.clock.now().toISOString());
    expect((await app.call('POST', '/me/passkeys/options', { headers: session })).status).toBe(200);
  });
});

describe('POST /login/second-factor/passkey/options', () => {
  it("200: request options allowing only the pending user's passkeys", async () => {
    const authenticator = await aliceWithPasskey();
    const pending = await pendingSignIn(app, 'alice', 'password123');
    const answer = await app.call('POST', '/login/second-factor/passkey/options', { headers: pending });
    const { challenge_id, options } = bodyOf(answer, 'createPasskeySecondStepOptions', 200);
    expect(challenge_id).toMatch(/^wch_/);
    expect(options.allowCredentials).toEqual([
      expect.objectContaining({ id: authenticator.credentials[0]?.id.toString('base64url') }),
    ]);
  });

  it('409 for an account whose second factor is TOTP only', async () => {
    app = await startTestApp();
    await turnOnTotp(app, 'bob', 'securepass');
    const pending = await pendingSignIn(app, 'bob', 'securepass');
    const answer = await app.call('POST', '/login/second-factor/passkey/options', { headers: pending });
    expectEnvelope(answer, 409, 'conflict_error', 'This account has no passkey');
  });

  it('401 for a full session or no cookie; 403 without the CSRF token', async () => {
    await aliceWithPasskey();
    const full = await signIn(app, 'bob', 'securepass');
    const path = '/login/second-factor/passkey/options';
    expectEnvelope(await app.call('POST', path, { headers: full }), 401, 'authentication_error');
    expectEnvelope(await app.call('POST', path), 401, 'authentication_error');
    const pending = await pendingSignIn(app, 'alice', 'password123');
    expectEnvelope(await app.call('POST', path, { headers: { cookie: pending.cookie } }), 403, 'csrf_error');
  });
});

describe('POST /login/second-factor/passkey', () => {
  it('200: what POST /login/totp answers; the pending sign-in ends; sudo open; audited with method passkey', async () => {
    const authenticator = await aliceWithPasskey();
    const pending = await pendingSignIn(app, 'alice', 'password123');
    const answer = await passkeySecondStep(app, pending, authenticator);
    const body = bodyOf(answer, 'loginWithPasskeySecondStep', 200);
    expect(body).toMatchObject({ message: 'Login successful', user: { username: 'alice' } });
    const session = { cookie: cookiesFrom(answer), 'x-csrf-token': body.csrf_token };
    expect(bodyOf(await app.call('GET', '/dashboard', { headers: session }), 'getDashboard', 200).message).toContain(
      'alice',
    );
    expect((await app.call('POST', '/me/passkeys/options', { headers: session })).status).toBe(200);
    expectEnvelope(
      await app.call('POST', '/login/second-factor/passkey/options', { headers: pending }),
      401,
      'authentication_error',
    );
    const succeeded = (await events('login.succeeded')).filter((e) => e.username === 'alice');
    expect(JSON.parse(succeeded.at(-1)?.detail ?? '{}')).toEqual({ method: 'passkey' });
  });

  it("401 for another user's passkey, even with this sign-in's challenge; audited", async () => {
    const alices = await aliceWithPasskey();
    const bobs = new SoftwareAuthenticator(originOf(app));
    expect((await register(app, await signIn(app, 'bob', 'securepass'), bobs)).status).toBe(201);
    const pending = await pendingSignIn(app, 'alice', 'password123');
    expectEnvelope(await passkeySecondStep(app, pending, bobs), 401, 'authentication_error', 'Invalid passkey');
    const failed = (await events('login.failed')).map((e) => JSON.parse(e.detail ?? '{}'));
    expect(failed).toEqual([{ factor: 'passkey', reason: 'other_user' }]);
    // Alice's own passkey still finishes a new pending sign-in.
    const again = await pendingSignIn(app, 'alice', 'password123');
    expect((await passkeySecondStep(app, again, alices)).status).toBe(200);
  });

  it('401 for a challenge of the sign-in with a passkey alone, and 401 there for one of the second step', async () => {
    const authenticator = await aliceWithPasskey();
    const pending = await pendingSignIn(app, 'alice', 'password123');
    const anonymous = await signInOptions(app);
    const answer = await second(pending, {
      challenge_id: anonymous.challenge_id,
      credential: authenticator.get(anonymous.options),
    });
    expectEnvelope(answer, 401, 'authentication_error', 'Invalid passkey');
    const started = await app.call('POST', '/login/second-factor/passkey/options', { headers: pending });
    const { challenge_id, options } = bodyOf(started, 'createPasskeySecondStepOptions', 200);
    const alone = await app.call('POST', '/login/passkey', {
      body: { challenge_id, credential: authenticator.get(options) },
    });
    expectEnvelope(alone, 401, 'authentication_error', 'Invalid credentials');
  });

  it("401 for another pending sign-in's challenge, and for a replay", async () => {
    const authenticator = await aliceWithPasskey();
    const first = await pendingSignIn(app, 'alice', 'password123');
    const other = await pendingSignIn(app, 'alice', 'password123');
    const started = await app.call('POST', '/login/second-factor/passkey/options', { headers: first });
    const { challenge_id, options } = bodyOf(started, 'createPasskeySecondStepOptions', 200);
    const credential = authenticator.get(options);
    expectEnvelope(await second(other, { challenge_id, credential }), 401, 'authentication_error', 'Invalid passkey');
    // Tried once by another, the challenge is gone for its own sign-in too.
    expectEnvelope(await second(first, { challenge_id, credential }), 401, 'authentication_error', 'Invalid passkey');
  });

  it('a stolen password alone cannot finish: a forged assertion, a code, a full-session route all answer 401', async () => {
    const authenticator = await aliceWithPasskey();
    const pending = await pendingSignIn(app, 'alice', 'password123');
    // The thief has no private key: an assertion of another origin, or unverified, is what they could forge.
    expectEnvelope(
      await passkeySecondStep(app, pending, authenticator, { userVerified: false }),
      401,
      'authentication_error',
    );
    expectEnvelope(
      await app.call('POST', '/login/totp', { headers: pending, body: { code: '123456' } }),
      401,
      'authentication_error',
    );
    expectEnvelope(await app.call('GET', '/dashboard', { headers: pending }), 401, 'authentication_error');
    expectEnvelope(
      await app.call('GET', '/me', { headers: basic('alice', 'password123') }),
      401,
      'authentication_error',
    );
  });

  it('429 past the allowance, before the assertion is checked, even for the right passkey; audited', async () => {
    const authenticator = await aliceWithPasskey({ config: { loginMaxFailures: 2 } });
    const pending = await pendingSignIn(app, 'alice', 'password123');
    for (let i = 0; i < 2; i++)
      expect((await passkeySecondStep(app, pending, authenticator, { userVerified: false })).status).toBe(401);
    const held = await passkeySecondStep(app, pending, authenticator);
    expectEnvelope(held, 429, 'rate_limit_error');
    const failed = (await events('login.failed')).map((e) => JSON.parse(e.detail ?? '{}'));
    expect(failed.at(-1)).toEqual({ factor: 'passkey', throttled: true });
    // Held back before verification: the passkey's counter did not move, and it works once the block is over.
    app.clock.advanceSeconds(Number(held.headers['retry-after']));
    expect((await passkeySecondStep(app, pending, authenticator)).status).toBe(200);
  });

  it('422 for a body without a credential; 403 without the CSRF token', async () => {
    const authenticator = await aliceWithPasskey();
    const pending = await pendingSignIn(app, 'alice', 'password123');
    expectEnvelope(await second(pending, { challenge_id: 'wch_x' }), 422, 'validation_error');
    const { challenge_id, options } = bodyOf(
      await app.call('POST', '/login/second-factor/passkey/options', { headers: pending }),
      'createPasskeySecondStepOptions',
      200,
    );
    const noToken = { cookie: pending.cookie };
    const answer = await second(noToken, { challenge_id, credential: authenticator.get(options) });
    expectEnvelope(answer, 403, 'csrf_error');
  });
});
