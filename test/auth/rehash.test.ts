import { afterEach, describe, expect, it } from 'vitest';
import { bcryptCostOf, PasswordHasher, PREHASHED } from '../../src/crypto/password-hasher.js';
import { basic, startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
afterEach(() => app.close());

const DEMO = { john: 'secret123', admin: 'supersecret', alice: 'password123', bob: 'securepass' } as const;

async function storedHash(username: string): Promise<string> {
  const row = await app.store.db
    .selectFrom('users')
    .select('password_hash')
    .where('username', '=', username)
    .executeTakeFirstOrThrow();
  return row.password_hash;
}

/**
 * As if the hashes were made before BCRYPT_COST changed: every demo user's hash at another cost, in
 * the current (pre-hashed) format, so only the cost can be the reason for a rehash.
 */
async function rehashAllAt(cost: number): Promise<void> {
  const hasher = new PasswordHasher(cost);
  for (const [username, password] of Object.entries(DEMO)) {
    const hash = await hasher.hash(password);
    await app.store.db.updateTable('users').set({ password_hash: hash }).where('username', '=', username).execute();
  }
}

describe('hashes follow BCRYPT_COST', () => {
  it('a hash of another cost is replaced at the next successful sign-in, credential version kept', async () => {
    app = await startTestApp();
    await rehashAllAt(5);
    const before = await app.store.users.findByUsername('alice');
    const response = await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    expect(response.status).toBe(200);
    const after = await app.store.users.findByUsername('alice');
    expect(after?.password_hash.startsWith(PREHASHED)).toBe(true);
    expect(bcryptCostOf(after?.password_hash ?? '')).toBe(app.config.bcryptCost);
    expect(after?.credential_version).toBe(before?.credential_version);
    expect((await app.call('GET', '/basic/profile', { headers: basic('alice', 'password123') })).status).toBe(200);
  });

  it('a failed sign-in leaves the hash as it is', async () => {
    app = await startTestApp();
    await rehashAllAt(5);
    const before = await storedHash('alice');
    expect((await app.call('POST', '/login', { body: { username: 'alice', password: 'wrong' } })).status).toBe(401);
    expect(await storedHash('alice')).toBe(before);
  });
});

describe('an unknown username costs what most stored hashes cost', () => {
  it('after BCRYPT_COST changed, the dummy compare takes the old cost most hashes still have', async () => {
    app = await startTestApp({ config: { basicCacheSeconds: 0 } });
    await rehashAllAt(5);
    const wrong = await app.hasher.workOf(() =>
      app.call('GET', '/basic/profile', { headers: basic('john', 'wrong-password') }),
    );
    const unknown = await app.hasher.workOf(() =>
      app.call('GET', '/basic/profile', { headers: basic('nobody', 'wrong-password') }),
    );
    expect(wrong.compares).toEqual([5]);
    expect(unknown.compares).toEqual(wrong.compares);
  });

  it('once most users have signed in and been rehashed, the dummy takes the new cost', async () => {
    app = await startTestApp({ config: { basicCacheSeconds: 0 } });
    await rehashAllAt(5);
    expect(
      (await app.hasher.workOf(() => app.call('GET', '/basic/profile', { headers: basic('x', 'y') }))).compares,
    ).toEqual([5]);
    for (const username of ['john', 'admin', 'alice'] as const)
      expect((await app.call('GET', '/basic/profile', { headers: basic(username, DEMO[username]) })).status).toBe(200);
    const unknown = await app.hasher.workOf(() => app.call('GET', '/basic/profile', { headers: basic('x', 'y') }));
    expect(unknown.compares).toEqual([app.config.bcryptCost]);
  });
});
