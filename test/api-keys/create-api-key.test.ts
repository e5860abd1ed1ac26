import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimsCurrentFormat, hasValidChecksum } from '../../src/api-keys/key-format.js';
import { sha256Hex } from '../../src/crypto/tokens.js';
import { basic, bearer, cookiesFrom, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf, errorOf } from '../support/typed-responses.js';

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(() => app.close());

const JOHN = basic('john', 'secret123');
const ALICE = basic('alice', 'password123');

async function signIn(username = 'alice', password = 'password123'): Promise<{ cookie: string; csrf: string }> {
  const response = await app.call('POST', '/login', { body: { username, password } });
  return { cookie: cookiesFrom(response), csrf: bodyOf(response, 'login', 200).csrf_token };
}

async function keyCount(): Promise<number> {
  return (await app.store.db.selectFrom('api_keys').selectAll().execute()).length;
}

describe('POST /api-keys', () => {
  it('201 with Basic: the key is shown once, in the current format, and works at once', async () => {
    const response = await app.call('POST', '/api-keys', {
      headers: ALICE,
      body: { name: 'CI deploys', permissions: ['write', 'read'] },
    });
    expect(response.status).toBe(201);
    const { key, ...listed } = bodyOf(response, 'createApiKey', 201);
    expect(listed).toEqual({
      id: expect.stringMatching(/^key_/),
      name: 'CI deploys',
      prefix: key.slice(0, 12),
      permissions: ['read', 'write'],
      created_at: app.clock.now().toISOString(),
      expires_at: null,
      last_used_at: null,
    });
    expect(key).toMatch(/^sk_test_/);
    expect(claimsCurrentFormat(key) && hasValidChecksum(key)).toBe(true);
    expect((await app.call('POST', '/apikey/create', { headers: bearer(key), body: { a: 1 } })).status).toBe(200);
  });

  it('the store keeps the hash and the prefix, never the key', async () => {
    const response = await app.call('POST', '/api-keys', {
      headers: ALICE,
      body: { name: 'k', permissions: ['read'] },
    });
    const json = bodyOf(response, 'createApiKey', 201);
    const row = await app.store.apiKeys.findById(json.id);
    expect(row?.key_hash).toBe(sha256Hex(json.key));
    expect(JSON.stringify(await app.store.db.selectFrom('api_keys').selectAll().execute())).not.toContain(json.key);
  });

  it('201 mints sk_live_ keys in production', async () => {
    await app.close();
    app = await startTestApp({ config: { env: 'production' } });
    const response = await app.call('POST', '/api-keys', {
      headers: ALICE,
      body: { name: 'prod', permissions: ['read'] },
    });
    expect(bodyOf(response, 'createApiKey', 201).key).toMatch(/^sk_live_/);
    expect(hasValidChecksum(bodyOf(response, 'createApiKey', 201).key)).toBe(true);
  });

  it('409 conflict_error beyond API_KEY_MAX_PER_USER active keys; revoked and expired ones do not count', async () => {
    await app.close();
    app = await startTestApp({ config: { apiKeyMaxPerUser: 2 } });
    const mint = (name: string, expires_at?: string) =>
      app.call('POST', '/api-keys', { headers: ALICE, body: { name, permissions: ['read'], expires_at } });
    const soon = new Date(app.clock.now().getTime() + 60_000).toISOString();
    const first = await mint('one');
    expect(first.status).toBe(201);
    expect((await mint('two', soon)).status).toBe(201);
    const refused = await mint('three');
    expectEnvelope(refused, 409, 'conflict_error', 'A user may have at most 2 active API keys; revoke one first');
    // Another user's allowance is their own.
    expect(
      (
        await app.call('POST', '/api-keys', {
          headers: basic('bob', 'securepass'),
          body: { name: 'b', permissions: ['read'] },
        })
      ).status,
    ).toBe(201);
    app.clock.advanceMinutes(2);
    expect((await mint('three')).status).toBe(201);
    expectEnvelope(await mint('four'), 409, 'conflict_error');
    expect(
      (await app.call('DELETE', `/api-keys/${bodyOf(first, 'createApiKey', 201).id}`, { headers: ALICE })).status,
    ).toBe(204);
    expect((await mint('four')).status).toBe(201);
  });

  it('parallel requests cannot overshoot API_KEY_MAX_PER_USER', async () => {
    await app.close();
    app = await startTestApp({ config: { apiKeyMaxPerUser: 3 } });
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        app.call('POST', '/api-keys', { headers: ALICE, body: { name: `k${i}`, permissions: ['read'] } }),
      ),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(3);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(5);
  });

  it('201 with an expiry: the key works until then and not after', async () => {
    const expiresAt = new Date(app.clock.now().getTime() + 60 * 60_000).toISOString();
    const response = await app.call('POST', '/api-keys', {
      headers: ALICE,
      body: { name: 'short', permissions: ['read'], expires_at: expiresAt },
    });
    expect(response.status).toBe(201);
    expect(bodyOf(response, 'createApiKey', 201).expires_at).toBe(expiresAt);
    expect(
      (await app.call('GET', '/apikey/data', { headers: bearer(bodyOf(response, 'createApiKey', 201).key) })).status,
    ).toBe(200);
    app.clock.advanceMinutes(60);
    expectEnvelope(
      await app.call('GET', '/apikey/data', { headers: bearer(bodyOf(response, 'createApiKey', 201).key) }),
      401,
      'authentication_error',
      'Invalid API Key',
    );
  });

  it('201 with the session cookie and its CSRF token', async () => {
    const { cookie, csrf } = await signIn();
    const response = await app.call('POST', '/api-keys', {
      headers: { cookie, 'x-csrf-token': csrf },
      body: { name: 'browser', permissions: ['read'] },
    });
    expect(response.status).toBe(201);
  });

  it('403 csrf_error with the session cookie but no CSRF token, and nothing is minted', async () => {
    const { cookie } = await signIn();
    const before = await keyCount();
    const response = await app.call('POST', '/api-keys', {
      headers: { cookie },
      body: { name: 'forged', permissions: ['read'] },
    });
    expectEnvelope(response, 403, 'csrf_error', 'Missing X-CSRF-Token header');
    expect(await keyCount()).toBe(before);
  });

  it("403 csrf_error with another session's CSRF token", async () => {
    const mine = await signIn();
    const other = await signIn('bob', 'securepass');
    const response = await app.call('POST', '/api-keys', {
      headers: { cookie: mine.cookie, 'x-csrf-token': other.csrf },
      body: { name: 'forged', permissions: ['read'] },
    });
    expectEnvelope(response, 403, 'csrf_error', 'Invalid CSRF token');
  });

  it('401 without credentials, before any body check', async () => {
    const response = await app.call('POST', '/api-keys', { body: { name: '' } });
    expectEnvelope(response, 401, 'authentication_error', 'Invalid credentials');
    expect(response.headers['www-authenticate']).toBe('Basic realm="gatehouse", charset="UTF-8"');
  });

  it.each([
    ['a bearer API key', bearer('sk_test_123')],
    ['an X-API-Key', { 'x-api-key': 'sk_test_123' }],
  ])('401 with %s: API keys cannot mint keys', async (_name, headers) => {
    const before = await keyCount();
    expectEnvelope(
      await app.call('POST', '/api-keys', { headers, body: { name: 'escalate', permissions: ['write'] } }),
      401,
      'authentication_error',
    );
    expect(await keyCount()).toBe(before);
  });

  it.each([
    ['an empty name', { name: '', permissions: ['read'] }, '/body/name'],
    ['a blank name', { name: '   ', permissions: ['read'] }, '/body/name'],
    ['a name of 101 characters', { name: 'n'.repeat(101), permissions: ['read'] }, '/body/name'],
    ['no name', { permissions: ['read'] }, '/body/name'],
    ['no permissions', { name: 'k' }, '/body/permissions'],
    ['empty permissions', { name: 'k', permissions: [] }, '/body/permissions'],
    ['repeated permissions', { name: 'k', permissions: ['read', 'read'] }, '/body/permissions'],
    ['an unknown permission', { name: 'k', permissions: ['admin'] }, '/body/permissions/0'],
    [
      'an expiry that is not a date-time',
      { name: 'k', permissions: ['read'], expires_at: 'tomorrow' },
      '/body/expires_at',
    ],
    [
      'an expiry in the past',
      { name: 'k', permissions: ['read'], expires_at: '2025-12-31T23:59:59Z' },
      '/body/expires_at',
    ],
    [
      'an expiry of exactly now',
      { name: 'k', permissions: ['read'], expires_at: '2026-01-01T09:00:00Z' },
      '/body/expires_at',
    ],
    [
      'a leap-second expiry',
      { name: 'k', permissions: ['read'], expires_at: '2026-12-31T23:59:60Z' },
      '/body/expires_at',
    ],
    [
      'an expiry past the year 9999',
      { name: 'k', permissions: ['read'], expires_at: '9999-12-31T23:59:59-05:00' },
      '/body/expires_at',
    ],
    ['an unknown field', { name: 'k', permissions: ['read'], user_id: 'usr_x' }, '/body/user_id'],
  ])('422 for %s', async (_name, body, path) => {
    const response = await app.call('POST', '/api-keys', { headers: ALICE, body });
    expectEnvelope(response, 422, 'validation_error');
    expect(errorOf(response).details?.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('422 for a missing body', async () => {
    expectEnvelope(
      await app.call('POST', '/api-keys', { headers: { ...ALICE, 'content-type': 'application/json' } }),
      422,
      'validation_error',
    );
  });

  it('400 for a body that is not JSON, 413 for one over 100 KB, 415 for a form', async () => {
    expectEnvelope(
      await app.call('POST', '/api-keys', {
        headers: { ...ALICE, 'content-type': 'application/json' },
        body: '{"name":',
      }),
      400,
      'invalid_request_error',
    );
    expectEnvelope(
      await app.call('POST', '/api-keys', {
        headers: ALICE,
        body: { name: 'x'.repeat(110_000), permissions: ['read'] },
      }),
      413,
      'invalid_request_error',
    );
    expectEnvelope(
      await app.call('POST', '/api-keys', {
        headers: { ...ALICE, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=k',
      }),
      415,
      'invalid_request_error',
    );
  });

  it('audits api_key.created with the actor and the key id, never the secret', async () => {
    const response = await app.call('POST', '/api-keys', {
      headers: JOHN,
      body: { name: 'audited', permissions: ['read'] },
    });
    const json = bodyOf(response, 'createApiKey', 201);
    const events = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'api_key.created')
      .execute();
    expect(events).toHaveLength(1);
    const john = await app.store.users.findByUsername('john');
    expect(events[0]).toMatchObject({
      outcome: 'success',
      actor_user_id: john?.id,
      actor_scheme: 'basic',
      subject_type: 'api_key',
      subject_id: json.id,
    });
    expect(JSON.stringify(events)).not.toContain(json.key);
  });
});
