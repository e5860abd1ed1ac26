import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { type Counter, CounterStore } from '../../src/rate-limit/counters.js';
import { createRedisClient } from '../../src/rate-limit/redis-client.js';
import { announceSkip } from '../support/databases.js';

const redisUrl = process.env.TEST_REDIS_URL;
if (redisUrl === undefined) announceSkip('reading a count from Redis', 'TEST_REDIS_URL');

const SPEC = { name: 'reads', points: 5, windowSeconds: 600 };

/**
 * A Redis counter's `get` reads with a script of its own; it must answer what the limiter's own
 * `get` does, on the client the service uses (its commands pipelined).
 */
describe.skipIf(redisUrl === undefined)('a Redis counter read', () => {
  const prefix = `gatehouse-test-${randomBytes(6).toString('hex')}`;
  let redis: Redis;
  let counter: Counter;
  let limiter: RateLimiterRedis;

  beforeAll(async () => {
    redis = createRedisClient(redisUrl ?? '');
    // Until the client is ready the counter answers from its memory fallback, by design.
    await redis.ping();
    counter = new CounterStore({ redis, prefix, clock: systemClock }).create(SPEC);
    limiter = new RateLimiterRedis({
      keyPrefix: `${prefix}:${SPEC.name}`,
      points: SPEC.points,
      duration: SPEC.windowSeconds,
      storeClient: redis,
    });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('answers the count and its time left as the limiter reads them', async () => {
    await counter.add('a', 3);
    const read = await counter.get('a');
    const own = await limiter.get('a');
    expect(read?.consumed).toBe(3);
    expect(read?.consumed).toBe(own?.consumedPoints);
    expect(read?.msBeforeReset).toBeGreaterThan(SPEC.windowSeconds * 1000 - 5_000);
    expect(Math.abs((read?.msBeforeReset ?? 0) - (own?.msBeforeNext ?? 0))).toBeLessThan(1_000);
  });

  it('answers nothing for a key never counted, like the limiter', async () => {
    expect(await counter.get('never')).toBeUndefined();
    expect(await limiter.get('never')).toBeNull();
  });

  it('reads a block with its own shorter time left', async () => {
    await counter.block('b', 30);
    const read = await counter.get('b');
    expect(read?.consumed).toBe(SPEC.points + 1);
    expect(read?.msBeforeReset).toBeGreaterThan(25_000);
    expect(read?.msBeforeReset).toBeLessThanOrEqual(30_000);
  });

  it('a second counter on the same client shares the script and keeps its own keys', async () => {
    const other = new CounterStore({ redis, prefix, clock: systemClock }).create({ ...SPEC, name: 'other-reads' });
    await other.add('a', 1);
    expect((await other.get('a'))?.consumed).toBe(1);
    expect((await counter.get('a'))?.consumed).toBe(3);
  });

  it('still counts and reads in Redis over a new connection (Redis restarted), its scripts sent again', async () => {
    await counter.add('reconnected', 2);
    const ready = once(redis, 'ready');
    redis.disconnect(true);
    await ready;
    // The memory fallback would answer 1 and then 1: these come from Redis.
    expect((await counter.add('reconnected', 1)).consumed).toBe(3);
    expect((await counter.get('reconnected'))?.consumed).toBe(3);
    expect((await limiter.get('reconnected'))?.consumedPoints).toBe(3);
  });
});
