import { afterEach, describe, expect, it, vi } from 'vitest';
import { basic, expectEnvelope, startTestApp, type TestApp, type TestResponse } from '../support/test-app.js';
import { errorOf } from '../support/typed-responses.js';

const THROTTLED = 'Too many failed attempts, try again later';

let app: TestApp;
afterEach(async () => {
  vi.restoreAllMocks();
  await app.close();
});

async function throttledApp(
  maxFailures = 3,
  ipMaxFailures = 100,
  trustProxy: string[] | false = false,
): Promise<TestApp> {
  return startTestApp({ config: { loginMaxFailures: maxFailures, loginIpMaxFailures: ipMaxFailures, trustProxy } });
}

function login(username: string, password: string, headers: Record<string, string> = {}) {
  return app.call('POST', '/login', { body: { username, password }, headers });
}

async function failLogins(count: number, username = 'alice', headers: Record<string, string> = {}): Promise<void> {
  for (let i = 0; i < count; i++) expect((await login(username, `wrong-${i}`, headers)).status).toBe(401);
}

describe('POST /login brute-force throttle', () => {
  it('429 after LOGIN_MAX_FAILURES consecutive failures, even for the right password', async () => {
    app = await throttledApp(3);
    await failLogins(3);
    const held = await login('alice', 'password123');
    expectEnvelope(held, 429, 'rate_limit_error', THROTTLED);
    expect(held.headers['retry-after']).toBe('1');
    expect(held.headers['set-cookie']).toBeUndefined();
  });

  it('a blocked guess costs no bcrypt work', async () => {
    app = await throttledApp(3);
    await failLogins(3);
    app.hasher.reset();
    expect((await login('alice', 'another-guess')).status).toBe(429);
    expect(app.hasher.compares).toEqual([]);
  });

  it('the block doubles with each failure after it ends (1 s, then 2 s)', async () => {
    app = await throttledApp(2);
    await failLogins(2);
    expect((await login('alice', 'x')).headers['retry-after']).toBe('1');
    app.clock.advanceSeconds(1);
    expect((await login('alice', 'still-wrong')).status).toBe(401);
    expect((await login('alice', 'password123')).headers['retry-after']).toBe('2');
  });

  it('a store failure during the probe leaves no trace: the right password then signs in', async () => {
    app = await throttledApp(2);
    await failLogins(2);
    app.clock.advanceSeconds(1);
    vi.spyOn(app.store.users, 'findByUsername').mockRejectedValueOnce(new Error('store unavailable'));
    expectEnvelope(await login('alice', 'password123'), 503, 'unavailable_error');
    expect((await login('alice', 'password123')).status).toBe(200);
  });

  it('a success ends the run of failures', async () => {
    app = await throttledApp(3);
    await failLogins(2);
    expect((await login('alice', 'password123')).status).toBe(200);
    await failLogins(2);
    expect((await login('alice', 'password123')).status).toBe(200);
  });

  it('an unknown username is throttled exactly like a known one', async () => {
    app = await throttledApp(2);
    await failLogins(2, 'alice');
    await failLogins(2, 'mallory');
    const known = await login('alice', 'guess');
    const unknown = await login('mallory', 'guess');
    for (const response of [known, unknown]) expectEnvelope(response, 429, 'rate_limit_error', THROTTLED);
    const shape = (response: TestResponse) => ({ ...errorOf(response), request_id: undefined });
    expect(shape(known)).toEqual(shape(unknown));
    expect(known.headers['retry-after']).toBe(unknown.headers['retry-after']);
  });

  it('blocks the username only from the failing address; other users and addresses sign in', async () => {
    app = await throttledApp(2, 100, ['loopback']);
    const attacker = { 'x-forwarded-for': '198.51.100.66' };
    await failLogins(2, 'alice', attacker);
    expect((await login('alice', 'password123', attacker)).status).toBe(429);
    expect((await login('alice', 'password123', { 'x-forwarded-for': '198.51.100.10' })).status).toBe(200);
    expect((await login('bob', 'securepass', attacker)).status).toBe(200);
  });

  it('counts usernames regardless of case', async () => {
    app = await throttledApp(2);
    await failLogins(1, 'alice');
    await failLogins(1, 'ALICE');
    expect((await login('Alice', 'password123')).status).toBe(429);
  });

  it('blocks an address that fails across many usernames (credential stuffing)', async () => {
    app = await throttledApp(5, 3);
    for (const username of ['u1', 'u2', 'u3']) await failLogins(1, username);
    const held = await login('bob', 'securepass');
    expectEnvelope(held, 429, 'rate_limit_error', THROTTLED);
    expect(Number(held.headers['retry-after'])).toBeGreaterThan(3_000);
  });

  it('the credential-stuffing block ends when its hour has passed on the clock', async () => {
    app = await throttledApp(5, 3);
    for (const username of ['u1', 'u2', 'u3']) await failLogins(1, username);
    expect((await login('bob', 'securepass')).status).toBe(429);
    app.clock.advanceMinutes(60);
    expect((await login('bob', 'securepass')).status).toBe(200);
  });

  it('audits a throttled attempt as a failed sign-in', async () => {
    app = await throttledApp(1);
    await failLogins(1);
    await login('alice', 'password123');
    const events = await app.store.db.selectFrom('audit_events').select(['action', 'detail']).execute();
    expect(events).toEqual([
      { action: 'login.failed', detail: null },
      { action: 'login.failed', detail: '{"throttled":true}' },
    ]);
  });
});

describe('Basic brute-force throttle', () => {
  it('429 with Retry-After after consecutive failures, even for the right password', async () => {
    app = await throttledApp(3);
    for (let i = 0; i < 3; i++)
      expect((await app.call('GET', '/basic/profile', { headers: basic('john', `wrong-${i}`) })).status).toBe(401);
    const held = await app.call('GET', '/basic/profile', { headers: basic('john', 'secret123') });
    expectEnvelope(held, 429, 'rate_limit_error', THROTTLED);
    expect(held.headers['retry-after']).toBe('1');
    expect(held.headers['www-authenticate']).toBeUndefined();
  });

  it('shares its count with /login: guesses there block Basic too, before bcrypt', async () => {
    app = await throttledApp(2);
    await failLogins(2, 'admin');
    app.hasher.reset();
    expectEnvelope(
      await app.call('GET', '/basic/admin', { headers: basic('admin', 'supersecret') }),
      429,
      'rate_limit_error',
      THROTTLED,
    );
    expect(app.hasher.compares).toEqual([]);
  });

  it('a verified Basic request ends the run of failures', async () => {
    app = await throttledApp(3);
    for (let i = 0; i < 2; i++) await app.call('GET', '/basic/profile', { headers: basic('john', 'nope') });
    expect((await app.call('GET', '/basic/profile', { headers: basic('john', 'secret123') })).status).toBe(200);
    for (let i = 0; i < 2; i++) await app.call('GET', '/basic/profile', { headers: basic('john', 'nope') });
    expect((await app.call('GET', '/basic/profile', { headers: basic('john', 'secret123') })).status).toBe(200);
  });
});

describe('guesses sent all at once', () => {
  // A real cost, so the guesses overlap: at the tests' cost 4 each is over before the next arrives.
  const burstApp = (maxFailures: number): Promise<TestApp> =>
    startTestApp({ config: { loginMaxFailures: maxFailures, bcryptCost: 10 } });

  it('/login: a burst gets no more than LOGIN_MAX_FAILURES + 1 guesses checked; the rest 429 before bcrypt', async () => {
    app = await burstApp(5);
    app.hasher.reset();
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => login('bob', `guess-${i}`)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(6);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(24);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(app.hasher.compares.length).toBeLessThanOrEqual(6);
  });

  it('Basic: a burst of wrong passwords gets no more than LOGIN_MAX_FAILURES + 1 checked', async () => {
    app = await burstApp(5);
    app.hasher.reset();
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        app.call('GET', '/basic/profile', { headers: basic('alice', `guess-${i}`) }),
      ),
    );
    expect(responses.filter((r) => r.status === 401).length).toBeLessThanOrEqual(6);
    expect(app.hasher.compares.length).toBeLessThanOrEqual(6);
  });

  it('Basic: the same right credentials sent together are checked once, and all pass', async () => {
    app = await burstApp(2);
    app.hasher.reset();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => app.call('GET', '/basic/profile', { headers: basic('alice', 'password123') })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(app.hasher.compares.length).toBe(1);
  });
});

describe('POST /me/password', () => {
  it('429 after LOGIN_MAX_FAILURES wrong current passwords, even for the right one', async () => {
    app = await throttledApp(3);
    const change = (current: string) =>
      app.call('POST', '/me/password', {
        headers: basic('bob', 'securepass'),
        body: { current_password: current, new_password: 'a long and uncommon passphrase' },
      });
    for (let i = 0; i < 3; i++) expect((await change(`wrong-${i}`)).status).toBe(422);
    const held = await change('securepass');
    expectEnvelope(held, 429, 'rate_limit_error', THROTTLED);
  });
});
