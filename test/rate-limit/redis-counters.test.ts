import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { announceSkip } from '../support/databases.js';
import { basic, bearer, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';

const redisUrl = process.env.TEST_REDIS_URL;
if (redisUrl === undefined) announceSkip('rate limits and throttles on Redis', 'TEST_REDIS_URL');

describe.skipIf(redisUrl === undefined)('counters on Redis, shared by instances', () => {
  const url = redisUrl ?? '';
  const opened: TestApp[] = [];
  const prefixes: string[] = [];
  let admin: Redis;

  beforeAll(() => {
    admin = new Redis(url);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((app) => app.close()));
  });
  afterAll(async () => {
    for (const prefix of prefixes) {
      const keys = await admin.keys(`${prefix}:*`);
      if (keys.length > 0) await admin.del(...keys);
    }
    await admin.quit();
  });

  /** A unique prefix per test, so runs and tests never see each other's counters. */
  function newPrefix(): string {
    const prefix = `gatehouse-test-${randomBytes(6).toString('hex')}`;
    prefixes.push(prefix);
    return prefix;
  }

  async function instance(prefix: string, config: Partial<Config> = {}, redis = url): Promise<TestApp> {
    const app = await startTestApp({ redisUrl: redis, counterPrefix: prefix, config });
    opened.push(app);
    return app;
  }

  it('a per-client limit holds across two instances sharing one Redis', async () => {
    const prefix = newPrefix();
    const [a, b] = [await instance(prefix, { rateLimitMax: 3 }), await instance(prefix, { rateLimitMax: 3 })];
    // The two apps have separate stores, so the key is told apart by its id: give both the same.
    const id = (
      await a.store.db.selectFrom('api_keys').select('id').where('prefix', '=', 'sk_test_').executeTakeFirstOrThrow()
    ).id;
    await b.store.db.updateTable('api_keys').set({ id }).where('prefix', '=', 'sk_test_').execute();

    expect((await a.call('GET', '/apikey/data', { headers: bearer('sk_test_123') })).headers.ratelimit).toMatch(/r=2;/);
    expect((await b.call('GET', '/apikey/data', { headers: bearer('sk_test_123') })).headers.ratelimit).toMatch(/r=1;/);
    expect((await a.call('GET', '/apikey/data', { headers: bearer('sk_test_123') })).status).toBe(200);
    const refused = await b.call('GET', '/apikey/data', { headers: bearer('sk_test_123') });
    expectEnvelope(refused, 429, 'rate_limit_error');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(800);
  });

  it('an address limited on one instance is limited on the other', async () => {
    const prefix = newPrefix();
    const [a, b] = [await instance(prefix, { rateLimitMax: 2 }), await instance(prefix, { rateLimitMax: 2 })];
    await a.call('GET', '/nowhere');
    await b.call('GET', '/nowhere');
    expectEnvelope(await a.call('GET', '/nowhere'), 429, 'rate_limit_error');
  });

  it('guesses on one instance block the username on the other, before bcrypt', async () => {
    const prefix = newPrefix();
    const [a, b] = [await instance(prefix, { loginMaxFailures: 2 }), await instance(prefix, { loginMaxFailures: 2 })];
    for (const password of ['guess-1', 'guess-2'])
      expect((await a.call('POST', '/login', { body: { username: 'alice', password } })).status).toBe(401);
    // The first block lasts 1 s on Redis's clock; stretch it in Redis itself, so a slow machine cannot
    // outlast it, and so the Retry-After below proves instance b read the block from Redis.
    const blocks = await admin.keys(`${prefix}:login-blocks:*`);
    expect(blocks).toHaveLength(1);
    expect(await admin.pexpire(blocks[0] ?? '', 60_000)).toBe(1);
    b.hasher.reset();
    const held = await b.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    expectEnvelope(held, 429, 'rate_limit_error', 'Too many failed attempts, try again later');
    expect(held.headers['retry-after']).toBe('60');
    expectEnvelope(
      await b.call('GET', '/basic/profile', { headers: basic('alice', 'password123') }),
      429,
      'rate_limit_error',
    );
    expect(b.hasher.compares).toEqual([]);
  });

  it('credential stuffing counted on both instances adds up', async () => {
    const prefix = newPrefix();
    const [a, b] = [
      await instance(prefix, { loginIpMaxFailures: 2 }),
      await instance(prefix, { loginIpMaxFailures: 2 }),
    ];
    expect((await a.call('POST', '/login', { body: { username: 'u1', password: 'x' } })).status).toBe(401);
    expect((await b.call('POST', '/login', { body: { username: 'u2', password: 'x' } })).status).toBe(401);
    expectEnvelope(
      await a.call('POST', '/login', { body: { username: 'bob', password: 'securepass' } }),
      429,
      'rate_limit_error',
    );
  });

  it('an account locked by guesses on one instance is locked on the other, device cookie still exempt', async () => {
    const prefix = newPrefix();
    const config = { accountMaxFailures: 2, trustProxy: ['loopback'] };
    const [a, b] = [await instance(prefix, config), await instance(prefix, config)];
    const signedIn = await b.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    const device = (signedIn.headers['set-cookie'] as string[]).find((c) => c.startsWith('gatehouse_device=')) ?? '';
    for (const n of [1, 2])
      expect(
        (
          await a.call('POST', '/login', {
            body: { username: 'alice', password: `guess-${n}` },
            headers: { 'x-forwarded-for': `203.0.113.${n}` },
          })
        ).status,
      ).toBe(401);
    const body = { username: 'alice', password: 'password123' };
    expectEnvelope(
      await b.call('POST', '/login', { body, headers: { 'x-forwarded-for': '203.0.113.9' } }),
      429,
      'rate_limit_error',
    );
    expect((await b.call('POST', '/login', { body, headers: { cookie: device.split(';')[0] ?? '' } })).status).toBe(
      200,
    );
  });

  it('instances with different prefixes do not share counters', async () => {
    const a = await instance(newPrefix(), { rateLimitMax: 1 });
    const b = await instance(newPrefix(), { rateLimitMax: 1 });
    expect((await a.call('GET', '/nowhere')).status).toBe(404);
    expect((await b.call('GET', '/nowhere')).status).toBe(404);
  });

  it('keeps counting in memory, and keeps serving, when Redis cannot be reached', async () => {
    const app = await instance(newPrefix(), { rateLimitMax: 2 }, 'redis://127.0.0.1:1');
    expect((await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') })).status).toBe(200);
    expect((await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') })).status).toBe(200);
    expectEnvelope(await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') }), 429, 'rate_limit_error');
  });
});
