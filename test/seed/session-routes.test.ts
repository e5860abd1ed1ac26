import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cookiesFrom, expectEnvelope, setCookieHeaders, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf, errorOf } from '../support/typed-responses.js';

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(() => app.close());

/** The session cookie among those a sign-in sets (the device cookie comes along). */
function sessionCookieOf(response: Parameters<typeof setCookieHeaders>[0]): string {
  return setCookieHeaders(response).find((cookie) => cookie.startsWith('gatehouse_session=')) ?? '';
}

async function login(username = 'alice', password = 'password123', headers: Record<string, string> = {}) {
  return app.call('POST', '/login', { body: { username, password }, headers });
}

describe('POST /login', () => {
  it('200 signs in and sets an HttpOnly, SameSite=Lax session cookie', async () => {
    const response = await login();
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ message: 'Login successful', user: { username: 'alice', role: 'user' } });
    const body = bodyOf(response, 'login', 200);
    expect('user' in body && body.user.id).toMatch(/^usr_/);
    const cookies = setCookieHeaders(response);
    const session = cookies.find((c) => c.startsWith('gatehouse_session='));
    expect(session).toBeDefined();
    expect(session).toMatch(/httponly/i);
    expect(session).toMatch(/samesite=lax/i);
    expect(session).not.toMatch(/;\s*secure/i);
    expect(cookies.some((c) => c.startsWith('gatehouse_session.sig='))).toBe(true);
  });

  it('200 marks the cookie Secure when the request came over HTTPS through a trusted proxy', async () => {
    await app.close();
    app = await startTestApp({ config: { trustProxy: ['loopback'] } });
    const response = await login('alice', 'password123', { 'x-forwarded-proto': 'https' });
    expect(setCookieHeaders(response).every((c) => /;\s*secure/i.test(c))).toBe(true);
  });

  it('the cookie carries only a random session token: no username, no role', async () => {
    const response = await login();
    const value = sessionCookieOf(response).split(';')[0]?.split('=')[1] ?? '';
    const decoded = JSON.parse(Buffer.from(decodeURIComponent(value), 'base64').toString('utf8'));
    expect(Object.keys(decoded)).toEqual(['token']);
    expect(decoded.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(decoded)).not.toContain('alice');
  });

  it('the store keeps the session under the hash of its token, never the token', async () => {
    const response = await login();
    const value = sessionCookieOf(response).split(';')[0]?.split('=')[1] ?? '';
    const { token } = JSON.parse(Buffer.from(decodeURIComponent(value), 'base64').toString('utf8'));
    const rows = await app.store.db.selectFrom('sessions').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('401 for a wrong password and an unknown user, answered the same', async () => {
    const wrong = await login('alice', 'password124');
    const unknown = await login('mallory', 'password123');
    for (const response of [wrong, unknown]) {
      expectEnvelope(response, 401, 'authentication_error', 'Invalid credentials');
      expect(setCookieHeaders(response)).toEqual([]);
    }
  });

  it('a new session id at every login: a cookie planted before login is not reused', async () => {
    const first = await login();
    const second = await login('alice', 'password123', { cookie: cookiesFrom(first) });
    expect(cookiesFrom(second)).not.toBe(cookiesFrom(first));
    // Signing in again over a live session ends the old one.
    expectEnvelope(
      await app.call('GET', '/dashboard', { headers: { cookie: cookiesFrom(first) } }),
      401,
      'authentication_error',
      'Not authenticated',
    );
    expect((await app.call('GET', '/dashboard', { headers: { cookie: cookiesFrom(second) } })).status).toBe(200);
  });

  it.each([
    ['no password', { username: 'alice' }],
    ['no username', { password: 'x' }],
    ['a number for a username', { username: 1, password: 'x' }],
    ['an empty username', { username: '', password: 'x' }],
    ['an operator object', { username: { $ne: null }, password: { $gt: '' } }],
    ['an unknown field', { username: 'alice', password: 'password123', admin: true }],
  ])('422 for %s', async (_name, body) => {
    const response = await app.call('POST', '/login', { body });
    expectEnvelope(response, 422, 'validation_error');
    expect(errorOf(response).details?.length).toBeGreaterThan(0);
  });

  it('422 names every problem, not only the first', async () => {
    const response = await app.call('POST', '/login', { body: {} });
    expect(
      errorOf(response)
        .details?.map((d: { message: string }) => d.message)
        .join(' '),
    ).toMatch(/username[\s\S]*password|password[\s\S]*username/);
  });

  it('400 for a body that is not JSON, 415 for a form body', async () => {
    expectEnvelope(
      await app.call('POST', '/login', { body: '{', headers: { 'content-type': 'application/json' } }),
      400,
      'invalid_request_error',
    );
    expectEnvelope(
      await app.call('POST', '/login', {
        body: 'username=alice',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'invalid_request_error',
    );
  });
});

describe('GET /dashboard', () => {
  it('200 greets the signed-in user', async () => {
    const cookie = cookiesFrom(await login());
    const response = await app.call('GET', '/dashboard', { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ message: 'Welcome to your dashboard, alice!' });
  });

  it('401 without a session cookie', async () => {
    const response = await app.call('GET', '/dashboard');
    expectEnvelope(response, 401, 'authentication_error', 'Not authenticated');
  });

  it.each([
    ['an unsigned cookie', 'gatehouse_session=eyJ0b2tlbiI6ImFiYyJ9'],
    ['a forged signature', 'gatehouse_session=eyJ0b2tlbiI6ImFiYyJ9; gatehouse_session.sig=AAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['garbage', 'gatehouse_session=%%%not-base64%%%; gatehouse_session.sig=xyz'],
  ])('401 for %s', async (_name, cookie) => {
    expectEnvelope(
      await app.call('GET', '/dashboard', { headers: { cookie } }),
      401,
      'authentication_error',
      'Not authenticated',
    );
  });

  it('401 for a validly signed cookie whose token the store never issued', async () => {
    const cookie = cookiesFrom(await login());
    await app.store.db.deleteFrom('sessions').execute();
    expectEnvelope(
      await app.call('GET', '/dashboard', { headers: { cookie } }),
      401,
      'authentication_error',
      'Not authenticated',
    );
  });

  it('the idle timeout slides with use and ends an unused session after 30 minutes', async () => {
    const cookie = cookiesFrom(await login());
    app.clock.advanceMinutes(29);
    expect((await app.call('GET', '/dashboard', { headers: { cookie } })).status).toBe(200);
    app.clock.advanceMinutes(29);
    expect((await app.call('GET', '/dashboard', { headers: { cookie } })).status).toBe(200);
    app.clock.advanceMinutes(31);
    expectEnvelope(
      await app.call('GET', '/dashboard', { headers: { cookie } }),
      401,
      'authentication_error',
      'Not authenticated',
    );
  });

  it('the absolute timeout ends a session after 12 hours however busy it is', async () => {
    const cookie = cookiesFrom(await login());
    for (let minutes = 0; minutes < 12 * 60 - 20; minutes += 20) {
      app.clock.advanceMinutes(20);
      expect((await app.call('GET', '/dashboard', { headers: { cookie } })).status).toBe(200);
    }
    app.clock.advanceMinutes(21);
    expectEnvelope(
      await app.call('GET', '/dashboard', { headers: { cookie } }),
      401,
      'authentication_error',
      'Not authenticated',
    );
  });
});

describe('POST /logout', () => {
  it('200 clears the cookie and revokes the session, so an earlier copy of the cookie is dead', async () => {
    const cookie = cookiesFrom(await login());
    const response = await app.call('POST', '/logout', { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ message: 'Logged out successfully' });
    expect(setCookieHeaders(response).find((c) => c.startsWith('gatehouse_session='))).toMatch(
      /expires=Thu, 01 Jan 1970/i,
    );
    expectEnvelope(
      await app.call('GET', '/dashboard', { headers: { cookie } }),
      401,
      'authentication_error',
      'Not authenticated',
    );
    const [row] = await app.store.db.selectFrom('sessions').selectAll().execute();
    expect(row?.revoked_at).not.toBeNull();
  });

  it('200 without a session, and with a dead one', async () => {
    expect((await app.call('POST', '/logout')).json).toEqual({ message: 'Logged out successfully' });
    const response = await app.call('POST', '/logout', {
      headers: { cookie: 'gatehouse_session=eyJ0b2tlbiI6ImFiYyJ9' },
    });
    expect(response.status).toBe(200);
  });

  it('ends only its own session', async () => {
    const mine = cookiesFrom(await login());
    const other = cookiesFrom(await login('bob', 'securepass'));
    await app.call('POST', '/logout', { headers: { cookie: mine } });
    expect((await app.call('GET', '/dashboard', { headers: { cookie: other } })).json).toEqual({
      message: 'Welcome to your dashboard, bob!',
    });
  });
});

describe('audit trail of sign-ins', () => {
  it('records a success and a failure with the username and address, never the password', async () => {
    await login();
    await login('alice', 'not-her-password');
    const events = await app.store.db.selectFrom('audit_events').selectAll().orderBy('action').execute();
    expect(events.map((e) => [e.action, e.outcome, e.username])).toEqual([
      ['login.failed', 'failure', 'alice'],
      ['login.succeeded', 'success', 'alice'],
    ]);
    expect(events.every((e) => e.ip === '127.0.0.1')).toBe(true);
    expect(JSON.stringify(events)).not.toMatch(/password123|not-her-password/);
  });
});
