import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { composeServices } from '../../src/compose.js';
import { testConfig } from '../../src/config/config.js';
import { openStore } from '../../src/store/store.js';
import { CountingHasher } from '../support/counting-hasher.js';
import { basic, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Equal timing proved by counting bcrypt work, not by a stopwatch: an unknown username must
 * cost exactly the compares (and hash costs) a wrong password does, and no extra hashing.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ config: { basicCacheSeconds: 0 } });
});
afterAll(() => app.close());

/** The cost of each bcrypt compare and hash one request causes. */
function bcryptWorkOf(request: () => Promise<unknown>): Promise<{ compares: number[]; hashes: number[] }> {
  return app.hasher.workOf(request);
}

describe('an unknown username costs the same bcrypt work as a wrong password', () => {
  it('for HTTP Basic', async () => {
    const wrong = await bcryptWorkOf(() =>
      app.call('GET', '/basic/profile', { headers: basic('john', 'wrong-password') }),
    );
    const unknown = await bcryptWorkOf(() =>
      app.call('GET', '/basic/profile', { headers: basic('nobody', 'wrong-password') }),
    );
    expect(wrong).toEqual({ compares: [4], hashes: [] });
    expect(unknown).toEqual(wrong);
  });

  it('for POST /login', async () => {
    const wrong = await bcryptWorkOf(() =>
      app.call('POST', '/login', { body: { username: 'alice', password: 'wrong-password' } }),
    );
    const unknown = await bcryptWorkOf(() =>
      app.call('POST', '/login', { body: { username: 'mallory', password: 'wrong-password' } }),
    );
    expect(wrong).toEqual({ compares: [4], hashes: [] });
    expect(unknown).toEqual(wrong);
  });

  it('for a disabled user with the right password', async () => {
    const wrong = await bcryptWorkOf(() =>
      app.call('GET', '/basic/profile', { headers: basic('bob', 'wrong-password') }),
    );
    await app.store.db.updateTable('users').set({ disabled: 1 }).where('username', '=', 'bob').execute();
    const disabled = await bcryptWorkOf(() =>
      app.call('GET', '/basic/profile', { headers: basic('bob', 'securepass') }),
    );
    expect(disabled).toEqual(wrong);
  });

  it('the dummy hash has the configured cost', async () => {
    const unknown = await bcryptWorkOf(() => app.call('GET', '/basic/profile', { headers: basic('nobody', 'x') }));
    expect(unknown.compares).toEqual([app.config.bcryptCost]);
  });
});

describe('the dummy hash for unknown usernames', () => {
  it('is made when the app is built, not when services are composed (a CLI command never waits for it)', async () => {
    const store = await openStore('sqlite::memory:');
    try {
      const hasher = new CountingHasher(4);
      const services = composeServices({ config: testConfig(), store, logger: pino({ level: 'silent' }), hasher });
      expect(hasher.hashes).toEqual([]);
      createApp({ services });
      expect(hasher.hashes).toEqual([4]);
    } finally {
      await store.close();
    }
  });
});
