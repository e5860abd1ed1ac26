import { afterEach, describe, expect, it } from 'vitest';
import { VerifiedCredentialCache } from '../../src/auth/basic-cache.js';
import { ManualClock } from '../support/manual-clock.js';
import { basic, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;

async function profile(username = 'john', password = 'secret123') {
  return app.call('GET', '/basic/profile', { headers: basic(username, password) });
}

async function withApp(config: Parameters<typeof startTestApp>[0] = {}): Promise<void> {
  app = await startTestApp(config);
  app.hasher.reset();
}

afterEach(() => app.close());

describe('cache of verified Basic credentials', () => {
  it('a repeated request with the same credentials costs no second bcrypt compare', async () => {
    await withApp();
    for (let i = 0; i < 3; i++) expect((await profile()).json).toEqual({ message: 'Welcome john!' });
    expect(app.hasher.compares).toHaveLength(1);
  });

  it('never caches failed credentials: each wrong guess costs a compare', async () => {
    await withApp();
    for (let i = 0; i < 3; i++)
      expectEnvelope(await profile('john', 'wrong'), 401, 'authentication_error', 'Invalid credentials');
    expect(app.hasher.compares).toHaveLength(3);
  });

  it('a cached user with a wrong password is still refused', async () => {
    await withApp();
    await profile();
    expectEnvelope(await profile('john', 'secret124'), 401, 'authentication_error');
  });

  it('a password change (credential_version bumped, on any instance) refuses the old password at once', async () => {
    await withApp();
    expect((await profile()).status).toBe(200);
    const hash = await app.hasher.hash('new-secret-456');
    await app.store.db
      .updateTable('users')
      .set({ password_hash: hash, credential_version: 2 })
      .where('username', '=', 'john')
      .execute();
    expectEnvelope(await profile(), 401, 'authentication_error', 'Invalid credentials');
    expect((await profile('john', 'new-secret-456')).status).toBe(200);
  });

  it('disabling a user refuses their cached credentials at once', async () => {
    await withApp();
    expect((await profile()).status).toBe(200);
    await app.store.db
      .updateTable('users')
      .set({ disabled: 1, credential_version: 2 })
      .where('username', '=', 'john')
      .execute();
    expectEnvelope(await profile(), 401, 'authentication_error');
  });

  it('deleting a user refuses their cached credentials at once', async () => {
    await withApp();
    expect((await profile()).status).toBe(200);
    await app.store.db.deleteFrom('api_keys').execute();
    await app.store.db.deleteFrom('users').where('username', '=', 'john').execute();
    expectEnvelope(await profile(), 401, 'authentication_error');
  });

  it('a renamed user cannot sign in under the old name from the cache', async () => {
    await withApp();
    expect((await profile()).status).toBe(200);
    await app.store.db
      .updateTable('users')
      .set({ username: 'johnny', username_key: 'johnny' })
      .where('username', '=', 'john')
      .execute();
    expectEnvelope(await profile(), 401, 'authentication_error');
  });

  it('forgets a credential after BASIC_CACHE_SECONDS (default 60)', async () => {
    await withApp();
    await profile();
    app.clock.advanceMinutes(0.9);
    await profile();
    expect(app.hasher.compares).toHaveLength(1);
    app.clock.advanceMinutes(0.2);
    await profile();
    expect(app.hasher.compares).toHaveLength(2);
  });

  it('BASIC_CACHE_SECONDS=0 turns the cache off', async () => {
    await withApp({ config: { basicCacheSeconds: 0 } });
    await profile();
    await profile();
    expect(app.hasher.compares).toHaveLength(2);
  });
});

describe('VerifiedCredentialCache', () => {
  const credential = { userId: 'usr_1', credentialVersion: 1 };

  it('keys are an HMAC: no password in them, unambiguous, and different in every process', () => {
    const clock = new ManualClock();
    const cache = new VerifiedCredentialCache({ ttlSeconds: 60, maxEntries: 10 }, clock);
    const other = new VerifiedCredentialCache({ ttlSeconds: 60, maxEntries: 10 }, clock);
    const key = cache.keyOf('john', 'secret123');
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain('secret123');
    expect(cache.keyOf('john', 'secret123')).toBe(key);
    expect(cache.keyOf('a:b', 'c')).not.toBe(cache.keyOf('a', 'b:c'));
    expect(other.keyOf('john', 'secret123')).not.toBe(key);
  });

  it('holds at most maxEntries, evicting the oldest', () => {
    const cache = new VerifiedCredentialCache({ ttlSeconds: 60, maxEntries: 2 }, new ManualClock());
    cache.set('a', credential);
    cache.set('b', credential);
    cache.set('c', credential);
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toEqual(credential);
  });

  it('expires entries by the injected clock', () => {
    const clock = new ManualClock();
    const cache = new VerifiedCredentialCache({ ttlSeconds: 60, maxEntries: 2 }, clock);
    cache.set('a', credential);
    clock.advanceMinutes(0.99);
    expect(cache.get('a')).toEqual(credential);
    clock.advanceMinutes(0.02);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe('Basic credentials arriving together', () => {
  it('identical requests on a cold cache cost one bcrypt compare and all succeed', async () => {
    await withApp();
    const release = app.hasher.holdCompares();
    const answers = Promise.all(Array.from({ length: 8 }, () => profile()));
    // The first compare is held; the other seven arrive while it is in progress.
    await expect.poll(() => app.hasher.compares.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    expect((await answers).map((answer) => answer.status)).toEqual(Array(8).fill(200));
    expect(app.hasher.compares).toHaveLength(1);
  });

  it('different passwords arriving together are each compared', async () => {
    await withApp();
    const answers = await Promise.all(['secret123', 'wrong-1', 'wrong-2'].map((password) => profile('john', password)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 401, 401]);
    expect(app.hasher.compares).toHaveLength(3);
  });
});
