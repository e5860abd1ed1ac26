import bcrypt from 'bcrypt';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
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

interface BcryptWork {
  compares: string[];
  hashes: number;
}

async function bcryptWorkOf(request: () => Promise<unknown>): Promise<BcryptWork> {
  vi.restoreAllMocks();
  const compare = vi.spyOn(bcrypt, 'compare');
  const hash = vi.spyOn(bcrypt, 'hash');
  await request();
  // "$2b$04$..." → "$2b$04$": the algorithm and cost of each hash compared against.
  const compares = compare.mock.calls.map((call) => String(call[1]).slice(0, 7));
  return { compares, hashes: hash.mock.calls.length };
}

beforeEach(() => {
  vi.restoreAllMocks();
});

describe('an unknown username costs the same bcrypt work as a wrong password', () => {
  it('for HTTP Basic', async () => {
    const wrong = await bcryptWorkOf(() =>
      app.call('GET', '/basic/profile', { headers: basic('john', 'wrong-password') }),
    );
    const unknown = await bcryptWorkOf(() =>
      app.call('GET', '/basic/profile', { headers: basic('nobody', 'wrong-password') }),
    );
    expect(wrong).toEqual({ compares: ['$2b$04$'], hashes: 0 });
    expect(unknown).toEqual(wrong);
  });

  it('for POST /login', async () => {
    const wrong = await bcryptWorkOf(() =>
      app.call('POST', '/login', { body: { username: 'alice', password: 'wrong-password' } }),
    );
    const unknown = await bcryptWorkOf(() =>
      app.call('POST', '/login', { body: { username: 'mallory', password: 'wrong-password' } }),
    );
    expect(wrong).toEqual({ compares: ['$2b$04$'], hashes: 0 });
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
    expect(unknown.compares).toEqual([`$2b$${String(app.config.bcryptCost).padStart(2, '0')}$`]);
  });
});
