import { afterEach, describe, expect, it } from 'vitest';
import { DEVICE_COOKIE } from '../../src/auth/device-token.js';
import { basic, expectEnvelope, setCookieHeaders, startTestApp, type TestApp } from '../support/test-app.js';

const THROTTLED = 'Too many failed attempts, try again later';

let app: TestApp;
afterEach(() => app.close());

/** Each guesser comes from its own address, so only the account-wide limit can stop them. */
async function lockApp(accountMaxFailures = 3): Promise<TestApp> {
  return startTestApp({ config: { accountMaxFailures, loginMaxFailures: 50, trustProxy: ['loopback'] } });
}

const from = (n: number): Record<string, string> => ({ 'x-forwarded-for': `198.51.100.${n}` });

function login(username: string, password: string, headers: Record<string, string> = {}) {
  return app.call('POST', '/login', { body: { username, password }, headers });
}

async function guessFromManyAddresses(username: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) expect((await login(username, `guess-${i}`, from(100 + i))).status).toBe(401);
}

/** The device cookie a successful sign-in sets, ready to send back. */
async function deviceCookieOf(username: string, password: string): Promise<string> {
  const response = await login(username, password, from(7));
  expect(response.status).toBe(200);
  const cookie = setCookieHeaders(response).find((c) => c.startsWith(`${DEVICE_COOKIE}=`));
  if (cookie === undefined) throw new Error('no device cookie');
  return cookie.split(';')[0] ?? '';
}

describe('account-wide failure limit (ACCOUNT_MAX_FAILURES per 24 h)', () => {
  it('429 for every new client once the account has failed ACCOUNT_MAX_FAILURES times from anywhere, before bcrypt', async () => {
    app = await lockApp(3);
    await guessFromManyAddresses('alice', 3);
    app.hasher.reset();
    const held = await login('alice', 'password123', from(200));
    expectEnvelope(held, 429, 'rate_limit_error', THROTTLED);
    expect(Number(held.headers['retry-after'])).toBeGreaterThan(23 * 3600);
    expectEnvelope(
      await app.call('GET', '/basic/profile', { headers: { ...basic('alice', 'password123'), ...from(201) } }),
      429,
      'rate_limit_error',
    );
    expect(app.hasher.compares).toEqual([]);
  });

  it('a client that signed in before keeps its allowance: its device cookie exempts it, for /login and Basic', async () => {
    app = await lockApp(3);
    const device = await deviceCookieOf('alice', 'password123');
    await guessFromManyAddresses('alice', 3);
    expect((await login('alice', 'password123', { ...from(7), cookie: device })).status).toBe(200);
    const headers = { ...basic('alice', 'password123'), ...from(8), cookie: device };
    expect((await app.call('GET', '/basic/profile', { headers })).status).toBe(200);
    expect((await login('alice', 'password123', from(9))).status).toBe(429);
  });

  it("another user's device cookie, or a forged one, exempts no one", async () => {
    app = await lockApp(3);
    const bobs = await deviceCookieOf('bob', 'securepass');
    await guessFromManyAddresses('alice', 3);
    expect((await login('alice', 'password123', { ...from(7), cookie: bobs })).status).toBe(429);
    const forged = `${DEVICE_COOKIE}=usr_x.abc.${'A'.repeat(43)}`;
    expect((await login('alice', 'password123', { ...from(7), cookie: forged })).status).toBe(429);
  });

  it("another user's device cookie does not exempt Basic credentials answered from the cache", async () => {
    app = await lockApp(3);
    const bobs = await deviceCookieOf('bob', 'securepass');
    const headers = { ...basic('alice', 'password123'), ...from(8), cookie: bobs };
    expect((await app.call('GET', '/basic/profile', { headers })).status).toBe(200);
    await guessFromManyAddresses('alice', 3);
    expectEnvelope(await app.call('GET', '/basic/profile', { headers }), 429, 'rate_limit_error', THROTTLED);
  });

  it('the device cookie is HttpOnly, SameSite=Lax and lasts a year', async () => {
    app = await lockApp(3);
    const response = await login('alice', 'password123');
    const cookie = setCookieHeaders(response).find((c) => c.startsWith(`${DEVICE_COOKIE}=`)) ?? '';
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Max-Age=31536000/);
    expect(cookie).not.toContain('password123');
  });

  it('the lock ends when its 24 hours have passed on the clock', async () => {
    app = await lockApp(3);
    await guessFromManyAddresses('alice', 3);
    expect((await login('alice', 'password123', from(200))).status).toBe(429);
    app.clock.advanceMinutes(24 * 60);
    expect((await login('alice', 'password123', from(200))).status).toBe(200);
  });

  it('an unknown username is locked exactly like a known one', async () => {
    app = await lockApp(2);
    await guessFromManyAddresses('alice', 2);
    await guessFromManyAddresses('mallory', 2);
    const known = await login('alice', 'x', from(200));
    const unknown = await login('mallory', 'x', from(200));
    for (const response of [known, unknown]) expectEnvelope(response, 429, 'rate_limit_error', THROTTLED);
    expect(known.headers['retry-after']).toBe(unknown.headers['retry-after']);
  });

  it('audits the lock once, when the account first reaches the limit', async () => {
    app = await lockApp(2);
    await guessFromManyAddresses('alice', 2);
    await login('alice', 'guess', from(200));
    await login('alice', 'guess', from(201));
    const locks = await app.store.db
      .selectFrom('audit_events')
      .select(['action', 'outcome', 'username', 'subject_type', 'ip'])
      .where('action', '=', 'account.locked')
      .execute();
    expect(locks).toEqual([
      { action: 'account.locked', outcome: 'failure', username: 'alice', subject_type: 'user', ip: '198.51.100.101' },
    ]);
  });
});
