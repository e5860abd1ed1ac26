import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { CounterStore } from '../../src/rate-limit/counters.js';
import { createRedisClient } from '../../src/rate-limit/redis-client.js';
import { announceSkip } from '../support/databases.js';

const redisUrl = process.env.TEST_REDIS_URL;
if (redisUrl === undefined) announceSkip('the Redis client sending commands together', 'TEST_REDIS_URL');

describe.skipIf(redisUrl === undefined)("the counters' Redis client", () => {
  const prefix = `gatehouse-test-${randomBytes(6).toString('hex')}`;
  let redis: Redis;

  beforeAll(async () => {
    redis = createRedisClient(redisUrl ?? '');
    await redis.ping();
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('writes the commands of one turn of the event loop to the socket at once, and answers each', async () => {
    const counters = new CounterStore({ redis, prefix, clock: systemClock });
    const limit = counters.create({ name: 'client', points: 10, windowSeconds: 60 });
    const reads = ['blocks', 'ip-failures', 'account-failures'].map((name) =>
      counters.create({ name, points: 5, windowSeconds: 60 }),
    );
    await reads[1]?.add('k', 2);
    // Warm: ioredis loads each script once when Redis has not seen it, in a write of its own.
    await Promise.all([limit.add('k', 1), ...reads.map((counter) => counter.get('k'))]);

    const write = vi.spyOn(redis.stream as Socket, 'write');
    try {
      const [counted, ...read] = await Promise.all([limit.add('k', 1), ...reads.map((counter) => counter.get('k'))]);
      expect(write).toHaveBeenCalledTimes(1);
      expect(counted?.consumed).toBe(2);
      expect(read.map((state) => state?.consumed)).toEqual([undefined, 2, undefined]);
    } finally {
      write.mockRestore();
    }
  });
});
