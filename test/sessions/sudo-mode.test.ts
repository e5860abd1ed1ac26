import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, cookiesFrom, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf } from '../support/typed-responses.js';

/**
 * Sudo mode: a session mints API keys only within 10 minutes of proving its password (sign-in
 * or POST /me/session/confirm), so a stolen cookie cannot mint a key that outlives the victim's
 * password change.
 */
let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(() => app.close());

const CONFIRM_MESSAGE = 'Confirm your password to mint an API key: POST /me/session/confirm, then retry';

async function signIn(username = 'alice', password = 'password123') {
  const login = await app.call('POST', '/login', { body: { username, password } });
  const cookie = cookiesFrom(login);
  return { cookie, session: { cookie, 'x-csrf-token': bodyOf(login, 'login', 200).csrf_token } };
}

function mint(headers: Record<string, string>, name = 'k') {
  return app.call('POST', '/api-keys', { headers, body: { name, permissions: ['read'] } });
}

function confirm(headers: Record<string, string>, password: unknown = 'password123') {
  return app.call('POST', '/me/session/confirm', { headers, body: { password } });
}

async function keyCount(): Promise<number> {
  return (await app.store.db.selectFrom('api_keys').select('id').execute()).length;
}

async function confirmations() {
  return app.store.db.selectFrom('audit_events').selectAll().where('action', '=', 'session.confirmed').execute();
}

describe('POST /api-keys from a session', () => {
  it('201 within 10 minutes of signing in', async () => {
    const { session } = await signIn();
    app.clock.advanceSeconds(9 * 60 + 59);
    expect((await mint(session)).status).toBe(201);
  });

  it('403 authorization_error 10 minutes after signing in, naming the confirm operation; nothing is minted', async () => {
    const { session } = await signIn();
    app.clock.advanceMinutes(10);
    const before = await keyCount();
    expectEnvelope(await mint(session), 403, 'authorization_error', CONFIRM_MESSAGE);
    expect(await keyCount()).toBe(before);
  });

  it('201 again once the password is confirmed, for 10 more minutes', async () => {
    const { session } = await signIn();
    app.clock.advanceMinutes(25);
    expect((await mint(session)).status).toBe(403);
    expect((await confirm(session)).status).toBe(200);
    expect((await mint(session)).status).toBe(201);
    app.clock.advanceSeconds(9 * 60 + 59);
    expect((await mint(session)).status).toBe(201);
    app.clock.advanceSeconds(1);
    expectEnvelope(await mint(session), 403, 'authorization_error', CONFIRM_MESSAGE);
  });

  it("one session's confirmation does not lift another's", async () => {
    const stolen = await signIn();
    const owner = await signIn();
    app.clock.advanceMinutes(11);
    expect((await confirm(owner.session)).status).toBe(200);
    expect((await mint(stolen.session)).status).toBe(403);
    expect((await mint(owner.session)).status).toBe(201);
  });

  it('Basic is never refused for this: it carries the password itself', async () => {
    await signIn();
    app.clock.advanceMinutes(60);
    expect((await mint(basic('alice', 'password123'))).status).toBe(201);
  });
});

describe('POST /me/session/confirm', () => {
  it('200 with the confirmation time and the end of sudo mode, 10 minutes later; audited', async () => {
    const { session } = await signIn();
    app.clock.advanceMinutes(20);
    const response = await confirm(session);
    expect(bodyOf(response, 'confirmMySession', 200)).toEqual({
      confirmed_at: '2026-01-01T09:20:00.000Z',
      sudo_expires_at: '2026-01-01T09:30:00.000Z',
    });
    expect(response.headers['cache-control']).toBe('no-store');
    const [event] = await confirmations();
    expect(event).toMatchObject({ outcome: 'success', actor_scheme: 'session', subject_type: 'session' });
    expect(JSON.stringify(await confirmations())).not.toContain('password123');
  });

  it('401 for a wrong password: audited, the session stays signed in and still may not mint', async () => {
    const { session } = await signIn();
    app.clock.advanceMinutes(11);
    expectEnvelope(await confirm(session, 'not-the-password'), 401, 'authentication_error', 'Invalid credentials');
    expect((await app.call('GET', '/dashboard', { headers: { cookie: session.cookie } })).status).toBe(200);
    expect((await mint(session)).status).toBe(403);
    const [event] = await confirmations();
    expect(event).toMatchObject({ outcome: 'failure', username: 'alice' });
    expect(JSON.parse(event?.detail ?? '{}')).toEqual({ reason: 'wrong_password' });
  });

  it('429 once the brute-force throttle holds the account, even for the right password', async () => {
    await app.close();
    app = await startTestApp({ config: { loginMaxFailures: 2 } });
    const { session } = await signIn();
    await confirm(session, 'guess-1');
    await confirm(session, 'guess-2');
    const held = await confirm(session);
    expectEnvelope(held, 429, 'rate_limit_error', 'Too many failed attempts, try again later');
    expect(Number(held.headers['retry-after'])).toBeGreaterThan(0);
    const events = await confirmations();
    expect(events.map((e) => JSON.parse(e.detail ?? '{}'))).toContainEqual({ throttled: true });
  });

  it('a wrong confirmation counts as a failed sign-in of the same throttle', async () => {
    await app.close();
    app = await startTestApp({ config: { loginMaxFailures: 2 } });
    const { session } = await signIn();
    await confirm(session, 'guess-1');
    await confirm(session, 'guess-2');
    const login = await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    expectEnvelope(login, 429, 'rate_limit_error');
  });

  it('422 for a body without a password, or with a blank one', async () => {
    const { session } = await signIn();
    expectEnvelope(
      await app.call('POST', '/me/session/confirm', { headers: session, body: {} }),
      422,
      'validation_error',
    );
    expectEnvelope(await confirm(session, ''), 422, 'validation_error');
    expectEnvelope(await confirm(session, 42), 422, 'validation_error');
  });

  it('403 csrf_error without the CSRF token, and the session stays unconfirmed', async () => {
    const { cookie, session } = await signIn();
    app.clock.advanceMinutes(11);
    expectEnvelope(await confirm({ cookie }), 403, 'csrf_error', 'Missing X-CSRF-Token header');
    expect((await mint(session)).status).toBe(403);
  });

  it('401 with Basic: only a session has something to confirm', async () => {
    expectEnvelope(await confirm(basic('alice', 'password123')), 401, 'authentication_error');
  });

  it('401 Not authenticated for a session that has ended', async () => {
    const { cookie, session } = await signIn();
    await app.call('POST', '/logout', { headers: { cookie } });
    expectEnvelope(await confirm(session), 401, 'authentication_error', 'Not authenticated');
  });
});
