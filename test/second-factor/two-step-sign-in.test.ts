import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEVICE_COOKIE } from '../../src/auth/device-token.js';
import { pendingSignIn, type TotpUser, totpCode, turnOnTotp } from '../support/second-factor.js';
import { cookiesFrom, expectEnvelope, setCookieHeaders, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf } from '../support/typed-responses.js';

/** Signing in to an account with TOTP on: the password, then a code, each refused on its own. */
let app: TestApp;
let alice: TotpUser;
beforeEach(async () => {
  app = await startTestApp();
  alice = await turnOnTotp(app, 'alice', 'password123');
});
afterEach(() => app.close());

function second(headers: Record<string, string>, body: unknown) {
  return app.call('POST', '/login/totp', { headers, body });
}

async function events(action: string) {
  return app.store.db.selectFrom('audit_events').selectAll().where('action', '=', action).execute();
}

describe('POST /login for an account with TOTP on', () => {
  it('200 mfa_required with the methods and a pending cookie, no device cookie', async () => {
    const login = await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    expect(bodyOf(login, 'login', 200)).toEqual({
      mfa_required: true,
      methods: ['totp', 'recovery_code'],
      expires_at: '2026-01-01T09:05:30.000Z',
      csrf_token: expect.any(String),
    });
    expect(setCookieHeaders(login).some((c) => c.startsWith('gatehouse_session='))).toBe(true);
    expect(setCookieHeaders(login).some((c) => c.startsWith(`${DEVICE_COOKIE}=`))).toBe(false);
    expect(await events('login.mfa_required')).toHaveLength(1);
  });

  it('401 for a wrong password, as for anyone', async () => {
    const login = await app.call('POST', '/login', { body: { username: 'alice', password: 'wrong-password' } });
    expectEnvelope(login, 401, 'authentication_error', 'Invalid credentials');
  });

  it('the pending cookie is no session: every session route answers 401 to it', async () => {
    const pending = await pendingSignIn(app, 'alice', 'password123');
    for (const [method, path] of [
      ['GET', '/dashboard'],
      ['GET', '/me'],
      ['GET', '/me/session'],
      ['GET', '/me/sessions'],
      ['POST', '/api-keys'],
    ] as const)
      expectEnvelope(await app.call(method, path, { headers: pending, body: {} }), 401, 'authentication_error');
  });
});

describe('POST /login/totp', () => {
  it('200 with a code: what POST /login answers, a fresh session cookie, the device cookie; audited with the method', async () => {
    const pending = await pendingSignIn(app, 'alice', 'password123');
    const done = await second(pending, { code: totpCode(alice.secret, app) });
    const body = bodyOf(done, 'loginWithTotp', 200);
    expect(body).toMatchObject({ message: 'Login successful', user: { username: 'alice', role: 'user' } });
    expect(setCookieHeaders(done).some((c) => c.startsWith(`${DEVICE_COOKIE}=`))).toBe(true);
    const session = { cookie: cookiesFrom(done), 'x-csrf-token': body.csrf_token };
    expect((await app.call('GET', '/dashboard', { headers: session })).status).toBe(200);
    // The pending cookie is spent.
    expectEnvelope(await app.call('GET', '/dashboard', { headers: pending }), 401, 'authentication_error');
    const event = (await events('login.succeeded')).find((e) => e.detail !== null);
    expect(JSON.parse(event?.detail ?? '{}')).toEqual({ method: 'totp' });
    // The session list shows only full sessions.
    const list = await app.call('GET', '/me/sessions', { headers: session });
    expect(bodyOf(list, 'listMySessions', 200).data.every((s) => s.id !== undefined)).toBe(true);
  });

  it('a code is good once: the same code again, in a new pending sign-in, answers 401', async () => {
    const code = totpCode(alice.secret, app);
    expect((await second(await pendingSignIn(app, 'alice', 'password123'), { code })).status).toBe(200);
    const replay = await second(await pendingSignIn(app, 'alice', 'password123'), { code });
    expectEnvelope(replay, 401, 'authentication_error', 'Invalid code');
  });

  it('an earlier code still inside the window is refused once a later one was used', async () => {
    const earlier = totpCode(alice.secret, app, -30);
    expect(
      (await second(await pendingSignIn(app, 'alice', 'password123'), { code: totpCode(alice.secret, app) })).status,
    ).toBe(200);
    expectEnvelope(
      await second(await pendingSignIn(app, 'alice', 'password123'), { code: earlier }),
      401,
      'authentication_error',
    );
  });

  it('a code one step old or one step ahead passes (clock drift); two steps off does not', async () => {
    // Past the step of the code that turned TOTP on (used up), so the step before now is unused.
    app.clock.advanceSeconds(60);
    expectEnvelope(
      await second(await pendingSignIn(app, 'alice', 'password123'), { code: totpCode(alice.secret, app, 60) }),
      401,
      'authentication_error',
    );
    expect(
      (await second(await pendingSignIn(app, 'alice', 'password123'), { code: totpCode(alice.secret, app, -30) }))
        .status,
    ).toBe(200);
    expect(
      (await second(await pendingSignIn(app, 'alice', 'password123'), { code: totpCode(alice.secret, app, 30) }))
        .status,
    ).toBe(200);
  });

  it('two requests racing with one good code: exactly one signs in', async () => {
    const [a, b] = [await pendingSignIn(app, 'alice', 'password123'), await pendingSignIn(app, 'alice', 'password123')];
    const code = totpCode(alice.secret, app);
    const answers = await Promise.all([second(a, { code }), second(b, { code }), second(a, { code })]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  it('401 for a wrong code, audited as login.failed with the factor; the pending sign-in may try again', async () => {
    const pending = await pendingSignIn(app, 'alice', 'password123');
    const right = totpCode(alice.secret, app);
    const wrong = right === '000000' ? '111111' : '000000';
    expectEnvelope(await second(pending, { code: wrong }), 401, 'authentication_error', 'Invalid code');
    const [event] = await events('login.failed');
    expect(event).toMatchObject({ username: 'alice', outcome: 'failure' });
    expect(JSON.parse(event?.detail ?? '{}')).toEqual({ factor: 'totp' });
    expect((await second(pending, { code: right })).status).toBe(200);
  });

  it('200 with a recovery code, once: reusing it answers 401; each use is audited', async () => {
    const [code] = alice.recoveryCodes as [string];
    const done = await second(await pendingSignIn(app, 'alice', 'password123'), { recovery_code: code.toLowerCase() });
    expect(done.status).toBe(200);
    const login = (await events('login.succeeded')).find((e) => e.detail !== null);
    expect(JSON.parse(login?.detail ?? '{}')).toEqual({ method: 'recovery_code' });
    const [used] = await events('recovery_code.used');
    expect(JSON.parse(used?.detail ?? '{}')).toEqual({ remaining: 9 });
    expect(JSON.stringify(await events('recovery_code.used'))).not.toContain(code);
    const reuse = await second(await pendingSignIn(app, 'alice', 'password123'), { recovery_code: code });
    expectEnvelope(reuse, 401, 'authentication_error', 'Invalid code');
  });

  it('401 once the pending sign-in is 5 minutes old', async () => {
    const pending = await pendingSignIn(app, 'alice', 'password123');
    app.clock.advanceMinutes(5);
    const late = await second(pending, { code: totpCode(alice.secret, app) });
    expectEnvelope(late, 401, 'authentication_error', 'Not authenticated');
  });

  it('401 for a full session: only a pending sign-in finishes here', async () => {
    expectEnvelope(await second(alice.session, { code: totpCode(alice.secret, app) }), 401, 'authentication_error');
  });

  it('403 csrf_error without the pending sign-in CSRF token', async () => {
    const pending = await pendingSignIn(app, 'alice', 'password123');
    const response = await second({ cookie: pending.cookie }, { code: totpCode(alice.secret, app) });
    expectEnvelope(response, 403, 'csrf_error');
  });

  it('422 for both a code and a recovery code, or neither', async () => {
    const pending = await pendingSignIn(app, 'alice', 'password123');
    expectEnvelope(await second(pending, {}), 422, 'validation_error');
    expectEnvelope(
      await second(pending, { code: '123456', recovery_code: alice.recoveryCodes[0] }),
      422,
      'validation_error',
    );
  });
});

describe('POST /logout with a pending sign-in', () => {
  it('revokes the pending sign-in and audits it as a sign-out: its cookie cannot finish the sign-in', async () => {
    const pending = await pendingSignIn(app, 'alice', 'password123');
    const out = await app.call('POST', '/logout', { headers: { cookie: pending.cookie } });
    expect(out.json).toEqual({ message: 'Logged out successfully' });
    expect(setCookieHeaders(out).find((c) => c.startsWith('gatehouse_session='))).toMatch(/expires=Thu, 01 Jan 1970/i);
    const late = await second(pending, { code: totpCode(alice.secret, app) });
    expectEnvelope(late, 401, 'authentication_error', 'Not authenticated');
    const [event] = await events('logout');
    expect(event).toMatchObject({ outcome: 'success', subject_type: 'session' });
  });
});
