import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { issueApiKey } from '../../src/api-keys/issue-api-key.js';
import { generateApiKey } from '../../src/api-keys/key-format.js';
import { sha256Hex } from '../../src/crypto/tokens.js';
import { bearer, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(() => app.close());

/** Mints a key for john straight through the store, as the routes and the CLI do. */
async function mintKey(options: { expiresInMinutes?: number } = {}): Promise<{ key: string; id: string }> {
  const john = await app.store.users.findByUsername('john');
  const now = app.clock.now();
  const expiresAt =
    options.expiresInMinutes === undefined ? null : new Date(now.getTime() + options.expiresInMinutes * 60_000);
  const { key, record } = await issueApiKey(app.store, {
    userId: john!.id,
    name: 'ci',
    permissions: ['read'],
    expiresAt,
    mode: 'test',
    now,
  });
  return { key, id: record.id };
}

async function lastUsedAt(id: string): Promise<string | null | undefined> {
  return (await app.store.apiKeys.findById(id))?.last_used_at;
}

describe('authentication with an API key of the current format', () => {
  it('200 for a freshly minted key, in either header', async () => {
    const { key } = await mintKey();
    expect((await app.call('GET', '/apikey/data', { headers: bearer(key) })).status).toBe(200);
    expect((await app.call('GET', '/apikey/data', { headers: { 'x-api-key': key } })).status).toBe(200);
  });

  it('401 for a key whose checksum is wrong, refused before any database lookup', async () => {
    const { key } = generateApiKey('test');
    const typo = `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`;
    // Even a row holding exactly this hash must not let it in: the checksum decides first.
    const john = await app.store.users.findByUsername('john');
    await app.store.apiKeys.create({
      id: 'key_planted',
      userId: john!.id,
      name: 'planted',
      prefix: 'sk_test_',
      keyHash: sha256Hex(typo),
      permissions: ['read'],
      expiresAt: null,
      now: app.clock.now(),
    });
    const lookup = vi.spyOn(app.store.apiKeys, 'findWithOwnerByHash');

    expectEnvelope(
      await app.call('GET', '/apikey/data', { headers: bearer(typo) }),
      401,
      'authentication_error',
      'Invalid API Key',
    );
    expect(lookup).not.toHaveBeenCalled();
  });

  it('the demo keys, which predate the format, keep working', async () => {
    expect((await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') })).status).toBe(200);
    expect((await app.call('GET', '/apikey/data', { headers: bearer('sk_live_456') })).status).toBe(200);
  });

  it('401 for an expired key, the same answer as for an unknown one', async () => {
    const { key } = await mintKey({ expiresInMinutes: 10 });
    expect((await app.call('GET', '/apikey/data', { headers: bearer(key) })).status).toBe(200);
    app.clock.advanceMinutes(10);
    const expired = await app.call('GET', '/apikey/data', { headers: bearer(key) });
    const unknown = await app.call('GET', '/apikey/data', { headers: bearer(generateApiKey('test').key) });
    expectEnvelope(expired, 401, 'authentication_error', 'Invalid API Key');
    expectEnvelope(unknown, 401, 'authentication_error', 'Invalid API Key');
    expect(expired.headers['www-authenticate']).toBe(unknown.headers['www-authenticate']);
  });

  it('401 for a revoked key, the same answer as for an unknown one', async () => {
    const { key, id } = await mintKey();
    await app.store.apiKeys.revoke(id, app.clock.now());
    expectEnvelope(
      await app.call('GET', '/apikey/data', { headers: bearer(key) }),
      401,
      'authentication_error',
      'Invalid API Key',
    );
  });
});

describe('last_used_at', () => {
  it('is set by the first use and then written at most once a minute', async () => {
    const { key, id } = await mintKey();
    expect(await lastUsedAt(id)).toBeNull();
    const first = app.clock.now().toISOString();
    await app.call('GET', '/apikey/data', { headers: bearer(key) });
    expect(await lastUsedAt(id)).toBe(first);

    const writes = vi.spyOn(app.store.apiKeys, 'markUsed');
    app.clock.advanceMinutes(0.5);
    await app.call('GET', '/apikey/data', { headers: bearer(key) });
    await app.call('GET', '/apikey/data', { headers: bearer(key) });
    expect(writes).not.toHaveBeenCalled();
    expect(await lastUsedAt(id)).toBe(first);

    app.clock.advanceMinutes(0.5);
    await app.call('GET', '/apikey/data', { headers: bearer(key) });
    expect(writes).toHaveBeenCalledTimes(1);
    expect(await lastUsedAt(id)).toBe(app.clock.now().toISOString());
  });

  it('is not touched by a refused request', async () => {
    const { key, id } = await mintKey();
    await app.call('POST', '/apikey/create', { headers: bearer(key), body: {} });
    // A read-only key is authenticated (then refused 403), so its use is recorded; a revoked one is not.
    expect(await lastUsedAt(id)).not.toBeNull();
    await app.store.apiKeys.revoke(id, app.clock.now());
    app.clock.advanceMinutes(5);
    const before = await lastUsedAt(id);
    await app.call('GET', '/apikey/data', { headers: bearer(key) });
    expect(await lastUsedAt(id)).toBe(before);
  });
});

describe('authentication with an sk_test_ key in production', () => {
  let production: TestApp;
  beforeEach(async () => {
    production = await startTestApp({ config: { env: 'production' } });
  });
  afterEach(() => production.close());

  it('401 Invalid API Key for the demo sk_test_ key and a minted one, as for an unknown key; live keys pass', async () => {
    const john = await production.store.users.findByUsername('john');
    const { key: minted } = await issueApiKey(production.store, {
      userId: john!.id,
      name: 'from development',
      permissions: ['read'],
      expiresAt: null,
      mode: 'test',
      now: production.clock.now(),
    });
    for (const key of ['sk_test_123', minted]) {
      for (const headers of [bearer(key), { 'x-api-key': key }]) {
        const response = await production.call('GET', '/apikey/data', { headers });
        expectEnvelope(response, 401, 'authentication_error', 'Invalid API Key');
      }
    }
    expect((await production.call('GET', '/apikey/data', { headers: bearer('sk_live_456') })).status).toBe(200);
    // Outside production the same keys work.
    expect((await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') })).status).toBe(200);
  });
});
