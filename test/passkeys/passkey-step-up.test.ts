import { afterEach, describe, expect, it } from 'vitest';
import { pendingSignIn, signInWithTotp, turnOnTotp } from '../support/second-factor.js';
import { cookiesFrom, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf } from '../support/typed-responses.js';
import {
  confirmWithPasskey,
  originOf,
  passkeySecondStep,
  register,
  type SessionHeaders,
  SoftwareAuthenticator,
  signIn,
} from './passkey-support.js';

/** Sudo mode reopened with a passkey instead of the password and a code. */
let app: TestApp;
let authenticator: SoftwareAuthenticator;
let session: SessionHeaders;
afterEach(() => app.close());

async function start(config: Parameters<typeof startTestApp>[0] = {}): Promise<void> {
  app = await startTestApp(config);
  authenticator = new SoftwareAuthenticator(originOf(app));
  session = await signIn(app);
  expect((await register(app, session, authenticator)).status).toBe(201);
  app.clock.advanceMinutes(11);
}

const OPTIONS = '/me/session/confirm/passkey/options';

describe('POST /me/session/confirm/passkey', () => {
  it('200: sudo mode open again, the 403 having named the passkey; audited with factor passkey', async () => {
    await start();
    const refused = await app.call('POST', '/me/passkeys/options', { headers: session });
    expectEnvelope(refused, 403, 'authorization_error');
    expect(refused.text).toContain('POST /me/session/confirm/passkey');
    const answer = await confirmWithPasskey(app, session, authenticator);
    const body = bodyOf(answer, 'confirmMySessionWithPasskey', 200);
    expect(body.confirmed_at).toBe(app.clock.now().toISOString());
    expect((await app.call('POST', '/me/passkeys/options', { headers: session })).status).toBe(200);
    const events = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'session.confirmed')
      .execute();
    expect(events.map((e) => [e.outcome, JSON.parse(e.detail ?? '{}')])).toEqual([['success', { factor: 'passkey' }]]);
  });

  it('an account with TOTP and a passkey may step up with either; the 403 names both', async () => {
    app = await startTestApp();
    authenticator = new SoftwareAuthenticator(originOf(app));
    const { secret } = await turnOnTotp(app, 'alice', 'password123');
    session = await signInWithTotp(app, 'alice', 'password123', secret);
    expect((await register(app, session, authenticator)).status).toBe(201);
    app.clock.advanceMinutes(11);
    const refused = await app.call('POST', '/api-keys', {
      headers: session,
      body: { name: 'k', permissions: ['read'] },
    });
    expectEnvelope(refused, 403, 'authorization_error');
    expect(refused.text).toContain('with password and code, or POST /me/session/confirm/passkey with a passkey');
    expect((await confirmWithPasskey(app, session, authenticator)).status).toBe(200);
    expect(
      (await app.call('POST', '/api-keys', { headers: session, body: { name: 'k', permissions: ['read'] } })).status,
    ).toBe(201);
  });

  it("401 for another user's passkey; the session stays as it was; audited", async () => {
    await start();
    const bobs = new SoftwareAuthenticator(originOf(app));
    app.clock.advanceMinutes(-11);
    expect((await register(app, await signIn(app, 'bob', 'securepass'), bobs)).status).toBe(201);
    app.clock.advanceMinutes(11);
    expectEnvelope(await confirmWithPasskey(app, session, bobs), 401, 'authentication_error', 'Invalid passkey');
    expectEnvelope(await app.call('POST', '/me/passkeys/options', { headers: session }), 403, 'authorization_error');
    const [event] = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'session.confirmed')
      .execute();
    expect([event?.outcome, JSON.parse(event?.detail ?? '{}')]).toEqual([
      'failure',
      { factor: 'passkey', reason: 'other_user' },
    ]);
  });

  it("401 for a challenge of another session, of a sign-in's second step, and for a replay", async () => {
    await start();
    // Alice owes her passkey now: a second session of hers comes through the second step.
    const pending = await pendingSignIn(app, 'alice', 'password123');
    const second = await passkeySecondStep(app, pending, authenticator);
    const secondSession = {
      cookie: cookiesFrom(second),
      'x-csrf-token': bodyOf(second, 'loginWithPasskeySecondStep', 200).csrf_token,
    };
    const theirs = bodyOf(
      await app.call('POST', OPTIONS, { headers: secondSession }),
      'createPasskeyConfirmOptions',
      200,
    );
    const call = (body: unknown) => app.call('POST', '/me/session/confirm/passkey', { headers: session, body });
    const credential = authenticator.get(theirs.options);
    expectEnvelope(await call({ challenge_id: theirs.challenge_id, credential }), 401, 'authentication_error');
    const pendingAgain = await pendingSignIn(app, 'alice', 'password123');
    const stepOptions = await app.call('POST', '/login/second-factor/passkey/options', { headers: pendingAgain });
    const step = bodyOf(stepOptions, 'createPasskeySecondStepOptions', 200);
    const stepCredential = authenticator.get(step.options);
    expectEnvelope(
      await call({ challenge_id: step.challenge_id, credential: stepCredential }),
      401,
      'authentication_error',
    );
    const mine = bodyOf(await app.call('POST', OPTIONS, { headers: session }), 'createPasskeyConfirmOptions', 200);
    const good = { challenge_id: mine.challenge_id, credential: authenticator.get(mine.options) };
    expect((await call(good)).status).toBe(200);
    expectEnvelope(await call(good), 401, 'authentication_error', 'Invalid passkey');
  });

  it('429 past the allowance, before the assertion is checked', async () => {
    await start({ config: { loginMaxFailures: 2 } });
    for (let i = 0; i < 2; i++)
      expect((await confirmWithPasskey(app, session, authenticator, { userVerified: false })).status).toBe(401);
    expectEnvelope(await confirmWithPasskey(app, session, authenticator), 429, 'rate_limit_error');
  });

  it('409 for options without a passkey; 401 without a session; 403 without the CSRF token; 422 without a credential', async () => {
    app = await startTestApp();
    const bob = await signIn(app, 'bob', 'securepass');
    expectEnvelope(
      await app.call('POST', OPTIONS, { headers: bob }),
      409,
      'conflict_error',
      'This account has no passkey',
    );
    expectEnvelope(await app.call('POST', OPTIONS), 401, 'authentication_error');
    expectEnvelope(await app.call('POST', OPTIONS, { headers: { cookie: bob.cookie ?? '' } }), 403, 'csrf_error');
    expectEnvelope(
      await app.call('POST', '/me/session/confirm/passkey', { headers: bob, body: { challenge_id: 'wch_x' } }),
      422,
      'validation_error',
    );
  });

  it('403 csrf_error without the CSRF token, for a good assertion too', async () => {
    await start();
    const { challenge_id, options } = bodyOf(
      await app.call('POST', OPTIONS, { headers: session }),
      'createPasskeyConfirmOptions',
      200,
    );
    const answer = await app.call('POST', '/me/session/confirm/passkey', {
      headers: { cookie: session.cookie ?? '' },
      body: { challenge_id, credential: authenticator.get(options) },
    });
    expectEnvelope(answer, 403, 'csrf_error');
  });
});
