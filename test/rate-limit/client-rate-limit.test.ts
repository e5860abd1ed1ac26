import { afterEach, describe, expect, it } from 'vitest';
import { basic, bearer, cookiesFrom, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
afterEach(() => app.close());

async function limited(max: number, config: Parameters<typeof startTestApp>[0] = {}): Promise<TestApp> {
  return startTestApp({ ...config, config: { rateLimitMax: max, rateLimitWindowSeconds: 900, ...config.config } });
}

describe('per-client rate limit', () => {
  it('every counted answer carries RateLimit-Policy and a RateLimit that counts down', async () => {
    app = await limited(5);
    const first = await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') });
    const second = await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') });
    expect(first.headers['ratelimit-policy']).toBe('"default";q=5;w=900');
    expect(first.headers.ratelimit).toMatch(/^"default";r=4;t=(89\d|900)$/);
    expect(second.headers.ratelimit).toMatch(/^"default";r=3;t=\d+$/);
  });

  it('429 past the limit, with Retry-After, RateLimit at zero and the envelope', async () => {
    app = await limited(2);
    for (let i = 0; i < 2; i++)
      expect((await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') })).status).toBe(200);
    const refused = await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') });
    expectEnvelope(refused, 429, 'rate_limit_error', 'Too many requests, try again later');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(899);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(900);
    expect(refused.headers.ratelimit).toMatch(/^"default";r=0;t=\d+$/);
    expect(refused.headers['cache-control']).toBe('no-store');
  });

  it('counts API-key traffic against the owning user too: a second key of the user gets no fresh allowance', async () => {
    app = await limited(3);
    for (let i = 0; i < 2; i++) await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') });
    // Both demo keys are john's: the second key's own bucket is fresh, the user's is not.
    const other = await app.call('GET', '/apikey/data', { headers: { 'x-api-key': 'sk_live_456' } });
    expect(other.status).toBe(200);
    expect(other.headers.ratelimit).toMatch(/^"default";r=0;/);
    expectEnvelope(
      await app.call('GET', '/apikey/data', { headers: { 'x-api-key': 'sk_live_456' } }),
      429,
      'rate_limit_error',
    );
    expectEnvelope(
      await app.call('GET', '/basic/profile', { headers: basic('john', 'secret123') }),
      429,
      'rate_limit_error',
    );
  });

  it('when the key and its owner both apply, RateLimit and Retry-After answer from the one that waits longest', async () => {
    app = await limited(2);
    // The user's window opens 800 s before the second key's: at the refusal the user's bucket
    // is over its limit for 100 s more, the key's is empty for 900 s — the real wait.
    expect((await app.call('GET', '/apikey/data', { headers: { 'x-api-key': 'sk_live_456' } })).status).toBe(200);
    app.clock.advanceSeconds(800);
    expect((await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') })).status).toBe(200);
    const refused = await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') });
    expectEnvelope(refused, 429, 'rate_limit_error');
    expect(refused.headers.ratelimit).toBe('"default";r=0;t=900');
    expect(refused.headers['retry-after']).toBe('900');
  });

  it('a cached Basic credential held back by the throttle is counted by its address, not against its user', async () => {
    app = await limited(10, { config: { loginMaxFailures: 2 } });
    const profile = () => app.call('GET', '/basic/profile', { headers: basic('alice', 'password123') });
    expect((await profile()).headers.ratelimit).toMatch(/^"default";r=9;/);
    for (const password of ['guess-1', 'guess-2'])
      expect((await app.call('POST', '/login', { body: { username: 'alice', password } })).status).toBe(401);
    const held = await profile();
    expectEnvelope(held, 429, 'rate_limit_error', 'Too many failed attempts, try again later');
    // The address has the two sign-ins and this answer; the user only the first profile.
    expect(held.headers.ratelimit).toMatch(/^"default";r=7;/);
    app.clock.advanceSeconds(1);
    expect((await profile()).headers.ratelimit).toMatch(/^"default";r=8;/);
  });

  it('a cached Basic credential of a user disabled since is counted by its address, not against the user', async () => {
    app = await limited(10);
    const profile = () => app.call('GET', '/basic/profile', { headers: basic('alice', 'password123') });
    expect((await profile()).headers.ratelimit).toMatch(/^"default";r=9;/);
    await app.store.db.updateTable('users').set({ disabled: 1 }).where('username', '=', 'alice').execute();
    const refused = await profile();
    expect(refused.status).toBe(401);
    expect(refused.headers.ratelimit).toMatch(/^"default";r=9;/);
    await app.store.db.updateTable('users').set({ disabled: 0 }).where('username', '=', 'alice').execute();
    expect((await profile()).headers.ratelimit).toMatch(/^"default";r=8;/);
  });

  it("one busy user's keys do not starve another user's", async () => {
    app = await limited(2);
    for (let i = 0; i < 3; i++) await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') });
    expect((await app.call('GET', '/basic/profile', { headers: basic('alice', 'password123') })).status).toBe(200);
  });

  it('counts a user once, whichever human credential they use (Basic or session)', async () => {
    app = await limited(3);
    const login = await app.call('POST', '/login', { body: { username: 'john', password: 'secret123' } });
    expect(login.status).toBe(200);
    const cookie = cookiesFrom(login);
    expect((await app.call('GET', '/basic/profile', { headers: basic('john', 'secret123') })).status).toBe(200);
    expect((await app.call('GET', '/dashboard', { headers: { cookie } })).status).toBe(200);
    expect((await app.call('GET', '/dashboard', { headers: { cookie } })).status).toBe(200);
    expectEnvelope(
      await app.call('GET', '/basic/profile', { headers: basic('john', 'secret123') }),
      429,
      'rate_limit_error',
    );
  });

  it('counts anonymous and rejected requests by address, apart from authenticated ones', async () => {
    app = await limited(2);
    expectEnvelope(
      await app.call('GET', '/apikey/data', { headers: bearer('sk_test_999') }),
      401,
      'authentication_error',
    );
    const second = await app.call('GET', '/no/such/route');
    expectEnvelope(second, 404, 'not_found_error');
    expect(second.headers.ratelimit).toMatch(/r=0;/);
    expectEnvelope(
      await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } }),
      429,
      'rate_limit_error',
    );
    // The address is spent; a valid key is a client of its own.
    expect((await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') })).status).toBe(200);
  });

  it('counts a request once, whichever layer refuses it', async () => {
    app = await limited(3);
    const bad = await app.call('POST', '/apikey/create', {
      headers: { ...bearer('sk_test_123'), 'content-type': 'application/json' },
      body: '[1]',
    });
    expectEnvelope(bad, 422, 'validation_error');
    expect(bad.headers.ratelimit).toMatch(/^"default";r=2;/);
  });

  it('does not count health, readiness or the contract, and marks them so in the contract', async () => {
    app = await limited(1);
    for (const path of ['/healthz', '/readyz', '/openapi.json', '/openapi.yaml', '/healthz']) {
      const response = await app.call('GET', path);
      expect(response.status).toBe(200);
      expect(response.headers.ratelimit).toBeUndefined();
    }
    expect((await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') })).status).toBe(200);
  });

  it('two apps in one process keep their own counters', async () => {
    app = await limited(1);
    const other = await limited(1);
    try {
      expect((await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') })).status).toBe(200);
      expect((await other.call('GET', '/apikey/data', { headers: bearer('sk_test_123') })).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('client address', () => {
  it('ignores X-Forwarded-For by default: a client cannot pick a fresh address per request', async () => {
    app = await limited(2);
    for (const forwarded of ['198.51.100.1', '198.51.100.2']) {
      expect((await app.call('GET', '/no/such/route', { headers: { 'x-forwarded-for': forwarded } })).status).toBe(404);
    }
    expectEnvelope(
      await app.call('GET', '/no/such/route', { headers: { 'x-forwarded-for': '198.51.100.3' } }),
      429,
      'rate_limit_error',
    );
  });

  it('takes the address from X-Forwarded-For when TRUST_PROXY names the proxy in front', async () => {
    app = await limited(1, { config: { trustProxy: ['loopback'] } });
    for (const forwarded of ['198.51.100.1', '198.51.100.2']) {
      expect((await app.call('GET', '/no/such/route', { headers: { 'x-forwarded-for': forwarded } })).status).toBe(404);
    }
    expectEnvelope(
      await app.call('GET', '/no/such/route', { headers: { 'x-forwarded-for': '198.51.100.1' } }),
      429,
      'rate_limit_error',
    );
  });

  it('trusts only the named proxies: an address the client prepends is not the one used', async () => {
    app = await limited(1, { config: { trustProxy: ['loopback'] } });
    expect(
      (await app.call('GET', '/no/such/route', { headers: { 'x-forwarded-for': '10.9.9.9, 198.51.100.1' } })).status,
    ).toBe(404);
    // The trusted proxy (loopback) vouches only for the last hop, 198.51.100.1.
    expectEnvelope(
      await app.call('GET', '/no/such/route', { headers: { 'x-forwarded-for': '10.9.9.8, 198.51.100.1' } }),
      429,
      'rate_limit_error',
    );
  });

  it('records the socket address in the audit trail, not a forwarded one, by default', async () => {
    app = await limited(10);
    await app.call('POST', '/login', {
      body: { username: 'alice', password: 'nope' },
      headers: { 'x-forwarded-for': '198.51.100.9' },
    });
    const events = await app.store.db.selectFrom('audit_events').select('ip').execute();
    expect(events.map((event) => event.ip)).toEqual(['127.0.0.1']);
  });
});
