import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signIn, signInWithTotp, type TotpUser, totpCode, turnOnTotp } from '../support/second-factor.js';
import { basic, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf } from '../support/typed-responses.js';

/**
 * Step-up: for an account with a second factor, sudo mode opens only with a proof that included
 * the factor — a two-step sign-in, or a confirmation with password and code.
 */
let app: TestApp;
let alice: TotpUser;
beforeEach(async () => {
  app = await startTestApp();
  alice = await turnOnTotp(app, 'alice', 'password123');
});
afterEach(() => app.close());

const mint = (headers: Record<string, string>) =>
  app.call('POST', '/api-keys', { headers, body: { name: 'k', permissions: ['read'] } });
const confirm = (headers: Record<string, string>, body: unknown) =>
  app.call('POST', '/me/session/confirm', { headers, body });

describe('POST /me/session/confirm for an account with TOTP', () => {
  it('401 for the password alone, saying a code is needed; audited', async () => {
    const session = await signInWithTotp(app, 'alice', 'password123', alice.secret);
    const response = await confirm(session, { password: 'password123' });
    expectEnvelope(
      response,
      401,
      'authentication_error',
      'This account has a second factor: send code or recovery_code with the password',
    );
  });

  it('200 with the password and a code: sudo mode for 10 more minutes', async () => {
    const session = await signInWithTotp(app, 'alice', 'password123', alice.secret);
    app.clock.advanceMinutes(20);
    expect((await mint(session)).status).toBe(403);
    const confirmed = await confirm(session, { password: 'password123', code: totpCode(alice.secret, app) });
    expect(bodyOf(confirmed, 'confirmMySession', 200).sudo_expires_at).toBe(
      new Date(app.clock.now().getTime() + 10 * 60_000).toISOString(),
    );
    expect((await mint(session)).status).toBe(201);
  });

  it('401 Invalid code for a wrong or reused code; nothing opens', async () => {
    const session = await signInWithTotp(app, 'alice', 'password123', alice.secret);
    app.clock.advanceMinutes(20);
    const code = totpCode(alice.secret, app);
    expect((await confirm(session, { password: 'password123', code })).status).toBe(200);
    app.clock.advanceMinutes(11);
    const wrong = code === '000000' ? '111111' : '000000';
    expectEnvelope(
      await confirm(session, { password: 'password123', code: wrong }),
      401,
      'authentication_error',
      'Invalid code',
    );
    expectEnvelope(
      await confirm(session, { password: 'password123', code: totpCode(alice.secret, app, -660) }),
      401,
      'authentication_error',
    );
    expect((await mint(session)).status).toBe(403);
  });

  it('a recovery code also confirms', async () => {
    const session = await signInWithTotp(app, 'alice', 'password123', alice.secret);
    app.clock.advanceMinutes(20);
    expect((await confirm(session, { password: 'password123', recovery_code: alice.recoveryCodes[0] })).status).toBe(
      200,
    );
    expect((await mint(session)).status).toBe(201);
  });

  it('an account without a factor confirms as before, a code sent along being ignored', async () => {
    const bob = await signIn(app, 'bob', 'securepass');
    app.clock.advanceMinutes(20);
    expect((await confirm(bob, { password: 'securepass', code: '123456' })).status).toBe(200);
    expect((await mint(bob)).status).toBe(201);
  });
});

describe('sensitive acts of an account with TOTP', () => {
  it('a session that proved only its password (signed in before TOTP was on) cannot mint: it ended with it', async () => {
    const before = await signIn(app, 'bob', 'securepass');
    // Turned on in another session: this one never proved the factor, and TOTP ended it.
    await turnOnTotp(app, 'bob', 'securepass');
    expectEnvelope(await mint(before), 401, 'authentication_error', 'Not authenticated');
  });

  it('403 for a mint once the factor was proved more than 10 minutes ago, saying what to confirm', async () => {
    app.clock.advanceMinutes(11);
    const refused = await mint(alice.session);
    expectEnvelope(refused, 403, 'authorization_error');
    expect(refused.text).toContain('Confirm your password and a second-factor code to mint an API key');
  });

  it('the session that turned TOTP on proved the code then: it may mint for 10 minutes', async () => {
    expect((await mint(alice.session)).status).toBe(201);
  });

  it('403 for a password change without a fresh factor; 204 with one', async () => {
    const session = await signInWithTotp(app, 'alice', 'password123', alice.secret);
    const body = { current_password: 'password123', new_password: 'a much better passphrase 7' };
    app.clock.advanceMinutes(11);
    const stale = await app.call('POST', '/me/password', { headers: session, body });
    expectEnvelope(stale, 403, 'authorization_error');
    expect((await confirm(session, { password: 'password123', code: totpCode(alice.secret, app) })).status).toBe(200);
    expect((await app.call('POST', '/me/password', { headers: session, body })).status).toBe(204);
  });

  it('accounts without a factor keep their rules: a password change needs no recent proof', async () => {
    const bob = await signIn(app, 'bob', 'securepass');
    app.clock.advanceMinutes(20);
    const body = { current_password: 'securepass', new_password: 'a much better passphrase 7' };
    expect((await app.call('POST', '/me/password', { headers: bob, body })).status).toBe(204);
  });
});

describe('HTTP Basic for an account with a second factor', () => {
  const MESSAGE =
    'This account has a second factor, which HTTP Basic cannot carry: sign in with a session (POST /login) or use an API key';

  it('401 with the right password, saying what to use instead; audited as basic.failed', async () => {
    const response = await app.call('GET', '/basic/profile', { headers: basic('alice', 'password123') });
    expectEnvelope(response, 401, 'authentication_error', MESSAGE);
    expect(String(response.headers['www-authenticate'])).toContain('Basic realm="gatehouse"');
    const events = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'basic.failed')
      .execute();
    expect(events.map((e) => JSON.parse(e.detail ?? '{}'))).toContainEqual({ reason: 'second_factor_required' });
  });

  it('a wrong password is still just Invalid credentials', async () => {
    const response = await app.call('GET', '/basic/profile', { headers: basic('alice', 'not-it') });
    expectEnvelope(response, 401, 'authentication_error', 'Invalid credentials');
  });

  it('a credential the Basic cache verified before TOTP was turned on stops working at once', async () => {
    const bob = basic('bob', 'securepass');
    expect((await app.call('GET', '/basic/profile', { headers: bob })).status).toBe(200);
    expect((await app.call('GET', '/basic/profile', { headers: bob })).status).toBe(200);
    await turnOnTotp(app, 'bob', 'securepass');
    expectEnvelope(await app.call('GET', '/basic/profile', { headers: bob }), 401, 'authentication_error', MESSAGE);
  });

  it('API keys minted from a full session keep working', async () => {
    const key = bodyOf(await mint(alice.session), 'createApiKey', 201).key;
    expect((await app.call('GET', '/apikey/data', { headers: { 'x-api-key': key } })).status).toBe(200);
  });
});
