import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf } from '../support/typed-responses.js';
import {
  originOf,
  register,
  registrationOptions,
  type SessionHeaders,
  SoftwareAuthenticator,
  signIn,
} from './passkey-support.js';

let app: TestApp;
let session: SessionHeaders;
let authenticator: SoftwareAuthenticator;
beforeEach(async () => {
  app = await startTestApp();
  session = await signIn(app);
  authenticator = new SoftwareAuthenticator(originOf(app));
});
afterEach(() => app.close());

async function storedPasskeys() {
  return app.store.db.selectFrom('passkeys').selectAll().execute();
}

async function fillToCap(userId: string, count = 20): Promise<void> {
  for (let i = 0; i < count; i++)
    await app.store.passkeys.create({
      id: `pky_filler${String(i).padStart(7, '0')}`,
      userId,
      credentialId: `filler-${i}`,
      publicKey: 'AA',
      counter: 0,
      transports: [],
      name: `filler ${i}`,
      now: app.clock.now(),
    });
}

describe('POST /me/passkeys/options', () => {
  it('200: creation options for a discoverable, user-verifying passkey on the configured RP', async () => {
    const { challenge_id, options } = await registrationOptions(app, session);
    expect(challenge_id).toMatch(/^wch_/);
    expect(options.rp).toEqual({ name: 'Gatehouse', id: 'localhost' });
    expect(options.user.name).toBe('alice');
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
    expect(options.attestation).toBe('none');
  });

  it('lists the passkeys the user has in excludeCredentials', async () => {
    expect((await register(app, session, authenticator)).status).toBe(201);
    const { options } = await registrationOptions(app, session);
    expect(options.excludeCredentials).toEqual([
      expect.objectContaining({ id: authenticator.credentials[0]?.id.toString('base64url') }),
    ]);
  });

  it('403 authorization_error 10 minutes after the password was proved; no challenge is stored', async () => {
    app.clock.advanceMinutes(10);
    const answer = await app.call('POST', '/me/passkeys/options', { headers: session });
    expectEnvelope(
      answer,
      403,
      'authorization_error',
      'Confirm your password to add a passkey: POST /me/session/confirm, then retry',
    );
    expect(await app.store.db.selectFrom('webauthn_challenges').selectAll().execute()).toEqual([]);
  });

  it('403 csrf_error without the CSRF token', async () => {
    const answer = await app.call('POST', '/me/passkeys/options', { headers: { cookie: session.cookie ?? '' } });
    expectEnvelope(answer, 403, 'csrf_error');
  });

  it('401 with Basic: a passkey is registered from a browser session', async () => {
    expectEnvelope(
      await app.call('POST', '/me/passkeys/options', { headers: basic('alice', 'password123') }),
      401,
      'authentication_error',
    );
  });

  it('409 when the user holds 20 passkeys', async () => {
    // The first through the API: it proves a passkey for this session, which may then add more.
    expect((await register(app, session, authenticator)).status).toBe(201);
    await fillToCap(bodyOf(await app.call('GET', '/me', { headers: session }), 'getMe', 200).user.id, 19);
    const answer = await app.call('POST', '/me/passkeys/options', { headers: session });
    expectEnvelope(answer, 409, 'conflict_error', 'A user may have at most 20 passkeys; delete one first');
  });
});

describe('POST /me/passkeys', () => {
  it('201: the passkey, without its credential id or key; audited; listed', async () => {
    const answer = await register(app, session, authenticator, { name: 'Work laptop' });
    const passkey = bodyOf(answer, 'createMyPasskey', 201);
    expect(passkey).toEqual({
      id: expect.stringMatching(/^pky_/),
      name: 'Work laptop',
      transports: ['internal'],
      created_at: app.clock.now().toISOString(),
      last_used_at: null,
    });
    const [stored] = await storedPasskeys();
    expect(answer.text).not.toContain(stored?.credential_id);
    expect(answer.text).not.toContain(stored?.public_key);
    const audit = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'passkey.added')
      .execute();
    expect(audit.map((e) => [e.outcome, e.username, e.subject_id])).toEqual([['success', 'alice', passkey.id]]);
    const listed = await app.callOp('listMyPasskeys', { headers: session });
    expect(listed.body(200).data).toEqual([passkey]);
  });

  it('422 for a replayed challenge: each is used once', async () => {
    const first = await register(app, session, authenticator);
    expect(first.status).toBe(201);
    const { options } = await registrationOptions(app, session);
    const credential = authenticator.create({ ...options, challenge: options.challenge });
    const replay = await app.call('POST', '/me/passkeys', {
      headers: session,
      body: { challenge_id: first.challengeId, name: 'again', credential },
    });
    expectEnvelope(replay, 422, 'validation_error');
    expect((replay.json as { error: { details: { path: string }[] } }).error.details[0]?.path).toBe(
      '/body/challenge_id',
    );
  });

  it('422 for a challenge another session asked for', async () => {
    const { challenge_id, options } = await registrationOptions(app, session);
    const other = await signIn(app);
    const answer = await app.call('POST', '/me/passkeys', {
      headers: other,
      body: { challenge_id, name: 'x', credential: authenticator.create(options) },
    });
    expectEnvelope(answer, 422, 'validation_error');
  });

  it('422 for an expired challenge (5 minutes)', async () => {
    await app.call('POST', '/me/session/confirm', { headers: session, body: { password: 'password123' } });
    const { challenge_id, options } = await registrationOptions(app, session);
    app.clock.advanceSeconds(5 * 60 + 1);
    const answer = await app.call('POST', '/me/passkeys', {
      headers: session,
      body: { challenge_id, name: 'late', credential: authenticator.create(options) },
    });
    expectEnvelope(answer, 422, 'validation_error');
  });

  it.each([
    ['another origin', { origin: 'http://evil.example:3000' }],
    ['another RP ID', { rpId: 'evil.example' }],
    ['no user verification', { userVerified: false }],
    ['an assertion instead of a creation', { type: 'webauthn.get' }],
  ])('422 /body/credential for %s; nothing is stored; the failure is audited', async (_case, tamper) => {
    const answer = await register(app, session, authenticator, { tamper });
    expectEnvelope(answer, 422, 'validation_error');
    expect((answer.json as { error: { details: { path: string }[] } }).error.details[0]?.path).toBe('/body/credential');
    expect(await storedPasskeys()).toEqual([]);
    const audit = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'passkey.added')
      .execute();
    expect(audit.map((e) => e.outcome)).toEqual(['failure']);
  });

  it('409 for a credential registered already (even by someone else)', async () => {
    expect((await register(app, session, authenticator)).status).toBe(201);
    const bob = await signIn(app, 'bob', 'securepass');
    const credentialId = authenticator.credentials[0]?.id.toString('base64url');
    const again = await register(app, bob, authenticator, { tamper: { credentialId } });
    expectEnvelope(again, 409, 'conflict_error', 'This passkey is registered already');
  });

  it('409 when the cap is reached between the options and the credential', async () => {
    const { challenge_id, options } = await registrationOptions(app, session);
    await fillToCap(bodyOf(await app.call('GET', '/me', { headers: session }), 'getMe', 200).user.id);
    const answer = await app.call('POST', '/me/passkeys', {
      headers: session,
      body: { challenge_id, name: 'one too many', credential: authenticator.create(options) },
    });
    expectEnvelope(answer, 409, 'conflict_error');
  });

  it('403 csrf_error without the CSRF token', async () => {
    const { challenge_id, options } = await registrationOptions(app, session);
    const answer = await app.call('POST', '/me/passkeys', {
      headers: { cookie: session.cookie ?? '' },
      body: { challenge_id, name: 'x', credential: authenticator.create(options) },
    });
    expectEnvelope(answer, 403, 'csrf_error');
  });

  it('422 for a body without a credential', async () => {
    const answer = await app.call('POST', '/me/passkeys', {
      headers: session,
      body: { challenge_id: 'wch_x', name: 'x' },
    });
    expectEnvelope(answer, 422, 'validation_error');
  });
});
