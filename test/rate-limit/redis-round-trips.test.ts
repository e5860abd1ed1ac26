import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { announceSkip } from '../support/databases.js';
import { basic, bearer, cookiesFrom, startTestApp, type TestApp } from '../support/test-app.js';

const redisUrl = process.env.TEST_REDIS_URL;
if (redisUrl === undefined) announceSkip('Redis round trips per request', 'TEST_REDIS_URL');

/**
 * Every command the app's Redis client sends, with how many replies had come back when it was
 * sent. Commands sent before any further reply arrived went out together: one round trip. A
 * command that had to wait for an answer first starts another.
 */
interface Sent {
  name: string;
  repliesBefore: number;
}

describe.skipIf(redisUrl === undefined)('Redis round trips per authenticated request, caches warm', () => {
  const prefix = `gatehouse-test-${randomBytes(6).toString('hex')}`;
  let app: TestApp;
  let admin: Redis;
  const sent: Sent[] = [];
  let replies = 0;

  beforeAll(async () => {
    admin = new Redis(redisUrl ?? '');
    const original = Redis.prototype.sendCommand;
    vi.spyOn(Redis.prototype, 'sendCommand').mockImplementation(function (this: Redis, command, stream) {
      sent.push({ name: command.name, repliesBefore: replies });
      command.promise.then(
        () => {
          replies += 1;
        },
        () => {
          replies += 1;
        },
      );
      return original.call(this, command, stream);
    });
    app = await startTestApp({ redisUrl, counterPrefix: prefix });
  });
  afterEach(() => {
    sent.length = 0;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await app.close();
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  /** The round trips one request took: the distinct moments its commands went out. */
  async function roundTrips(send: () => Promise<{ status: number }>): Promise<{ status: number; trips: number }> {
    // Warm: the credential cache, the user's row, and Redis's copy of the counting script.
    await send();
    sent.length = 0;
    const { status } = await send();
    return { status, trips: new Set(sent.map((command) => command.repliesBefore)).size };
  }

  it('Basic answered from the verified-credential cache: one (the throttle read and the count together)', async () => {
    const result = await roundTrips(() =>
      app.call('GET', '/basic/profile', { headers: basic('alice', 'password123') }),
    );
    expect(result).toEqual({ status: 200, trips: 1 });
  });

  it('an API key: one', async () => {
    const result = await roundTrips(() => app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') }));
    expect(result).toEqual({ status: 200, trips: 1 });
  });

  it('a session: one', async () => {
    const login = await app.call('POST', '/login', { body: { username: 'bob', password: 'securepass' } });
    const cookie = cookiesFrom(login);
    const result = await roundTrips(() => app.call('GET', '/dashboard', { headers: { cookie } }));
    expect(result).toEqual({ status: 200, trips: 1 });
  });
});
