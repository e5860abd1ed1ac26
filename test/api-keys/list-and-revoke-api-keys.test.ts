import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, bearer, cookiesFrom, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf, errorOf } from '../support/typed-responses.js';

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(() => app.close());

const JOHN = basic('john', 'secret123');
const ALICE = basic('alice', 'password123');
const ADMIN = basic('admin', 'supersecret');

async function mint(headers: Record<string, string>, name = 'k'): Promise<{ id: string; key: string }> {
  const response = await app.call('POST', '/api-keys', { headers, body: { name, permissions: ['read'] } });
  expect(response.status).toBe(201);
  return bodyOf(response, 'createApiKey', 201);
}

async function userId(username: string): Promise<string> {
  return (await app.store.users.findByUsername(username))!.id;
}

async function signIn(username: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const response = await app.call('POST', '/login', { body: { username, password } });
  return { cookie: cookiesFrom(response), csrf: bodyOf(response, 'login', 200).csrf_token };
}

describe('GET /api-keys', () => {
  it("200 lists the caller's own keys, newest first, with no secret and no hash", async () => {
    const response = await app.call('GET', '/api-keys', { headers: JOHN });
    expect(response.status).toBe(200);
    expect(bodyOf(response, 'listApiKeys', 200).has_more).toBe(false);
    expect(
      bodyOf(response, 'listApiKeys', 200)
        .data.map((k) => k.name)
        .sort(),
    ).toEqual(['Demo key (read)', 'Demo key (read, write)']);
    expect(bodyOf(response, 'listApiKeys', 200).data.every((k) => !('key' in k) && !('key_hash' in k))).toBe(true);
    expect(response.text).not.toMatch(/sk_test_123|sk_live_456/);
  });

  it('200 shows each user only their own keys', async () => {
    const mine = await mint(ALICE, 'alice-key');
    const response = await app.call('GET', '/api-keys', { headers: ALICE });
    expect(bodyOf(response, 'listApiKeys', 200).data).toEqual([
      expect.objectContaining({ id: mine.id, name: 'alice-key', last_used_at: null }),
    ]);
    expect(response.text).not.toContain(mine.key);
  });

  it('200 with the session cookie, which needs no CSRF token for a read', async () => {
    const { cookie } = await signIn('john', 'secret123');
    const response = await app.call('GET', '/api-keys', { headers: { cookie } });
    expect(bodyOf(response, 'listApiKeys', 200).data).toHaveLength(2);
  });

  it('200 shows when a key was last used', async () => {
    const { id, key } = await mint(ALICE);
    await app.call('GET', '/apikey/data', { headers: bearer(key) });
    const response = await app.call('GET', '/api-keys', { headers: ALICE });
    expect(bodyOf(response, 'listApiKeys', 200).data.find((k) => k.id === id)!.last_used_at).toBe(
      app.clock.now().toISOString(),
    );
  });

  it('200 pages with limit, has_more and starting_after', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.unshift((await mint(ALICE, `k${i}`)).id);
      app.clock.advanceMinutes(1);
    }
    const first = await app.call('GET', '/api-keys?limit=2', { headers: ALICE });
    expect(bodyOf(first, 'listApiKeys', 200).data.map((k) => k.id)).toEqual(ids.slice(0, 2));
    expect(bodyOf(first, 'listApiKeys', 200).has_more).toBe(true);
    const second = await app.call('GET', `/api-keys?limit=2&starting_after=${ids[1]}`, { headers: ALICE });
    expect(bodyOf(second, 'listApiKeys', 200).data.map((k) => k.id)).toEqual(ids.slice(2, 4));
    const last = await app.call('GET', `/api-keys?limit=2&starting_after=${ids[3]}`, { headers: ALICE });
    expect(last.json).toEqual({ data: [expect.objectContaining({ id: ids[4] })], has_more: false });
  });

  it('200 for an admin naming another user with user_id', async () => {
    const response = await app.call('GET', `/api-keys?user_id=${await userId('john')}`, { headers: ADMIN });
    expect(bodyOf(response, 'listApiKeys', 200).data).toHaveLength(2);
  });

  it('200 for a user naming themselves with user_id', async () => {
    await mint(ALICE);
    const response = await app.call('GET', `/api-keys?user_id=${await userId('alice')}`, { headers: ALICE });
    expect(bodyOf(response, 'listApiKeys', 200).data).toHaveLength(1);
  });

  it('403 for a user naming another user', async () => {
    expectEnvelope(
      await app.call('GET', `/api-keys?user_id=${await userId('john')}`, { headers: ALICE }),
      403,
      'authorization_error',
      'Admins only',
    );
    // The same 403 whether or not the user exists: no user-id oracle for non-admins.
    expectEnvelope(
      await app.call('GET', '/api-keys?user_id=usr_nobody', { headers: ALICE }),
      403,
      'authorization_error',
      'Admins only',
    );
  });

  it('404 for an admin naming a user that does not exist', async () => {
    expectEnvelope(
      await app.call('GET', '/api-keys?user_id=usr_nobody', { headers: ADMIN }),
      404,
      'not_found_error',
      'User not found',
    );
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['starting_after=key_unknown', 'starting_after'],
  ])('422 for %s', async (query, parameter) => {
    const response = await app.call('GET', `/api-keys?${query}`, { headers: ALICE });
    expectEnvelope(response, 422, 'validation_error');
    expect(errorOf(response).details?.[0]?.path).toBe(`/query/${parameter}`);
  });

  it("422 for starting_after naming another user's key", async () => {
    const johns = bodyOf(await app.call('GET', '/api-keys', { headers: JOHN }), 'listApiKeys', 200).data[0]!.id;
    expectEnvelope(
      await app.call('GET', `/api-keys?starting_after=${johns}`, { headers: ALICE }),
      422,
      'validation_error',
    );
  });

  it('401 without credentials, and with an API key', async () => {
    expectEnvelope(await app.call('GET', '/api-keys'), 401, 'authentication_error', 'Invalid credentials');
    expectEnvelope(await app.call('GET', '/api-keys', { headers: bearer('sk_test_123') }), 401, 'authentication_error');
  });

  it('400 for a credential in the query string', async () => {
    expectEnvelope(
      await app.call('GET', '/api-keys?api_key=sk_test_123', { headers: JOHN }),
      400,
      'invalid_request_error',
    );
  });
});

describe('DELETE /api-keys/{id}', () => {
  it('204, and the key is refused from the next request on', async () => {
    const { id, key } = await mint(ALICE);
    expect((await app.call('GET', '/apikey/data', { headers: bearer(key) })).status).toBe(200);
    const response = await app.call('DELETE', `/api-keys/${id}`, { headers: ALICE });
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expectEnvelope(
      await app.call('GET', '/apikey/data', { headers: bearer(key) }),
      401,
      'authentication_error',
      'Invalid API Key',
    );
    expect(bodyOf(await app.call('GET', '/api-keys', { headers: ALICE }), 'listApiKeys', 200).data).toEqual([]);
  });

  it('404 the second time', async () => {
    const { id } = await mint(ALICE);
    expect((await app.call('DELETE', `/api-keys/${id}`, { headers: ALICE })).status).toBe(204);
    expectEnvelope(
      await app.call('DELETE', `/api-keys/${id}`, { headers: ALICE }),
      404,
      'not_found_error',
      'API key not found',
    );
  });

  it("404 for another user's key, which keeps working", async () => {
    const johns = await mint(JOHN);
    expectEnvelope(
      await app.call('DELETE', `/api-keys/${johns.id}`, { headers: ALICE }),
      404,
      'not_found_error',
      'API key not found',
    );
    expect((await app.call('GET', '/apikey/data', { headers: bearer(johns.key) })).status).toBe(200);
  });

  it('404 for an id that never existed', async () => {
    expectEnvelope(
      await app.call('DELETE', '/api-keys/key_doesnotexist00', { headers: ALICE }),
      404,
      'not_found_error',
      'API key not found',
    );
  });

  it("204 for an admin revoking another user's key", async () => {
    const johns = await mint(JOHN);
    expect((await app.call('DELETE', `/api-keys/${johns.id}`, { headers: ADMIN })).status).toBe(204);
    expectEnvelope(
      await app.call('GET', '/apikey/data', { headers: bearer(johns.key) }),
      401,
      'authentication_error',
      'Invalid API Key',
    );
  });

  it('204 for an expired key, so it can be cleared away', async () => {
    const response = await app.call('POST', '/api-keys', {
      headers: ALICE,
      body: { name: 'k', permissions: ['read'], expires_at: '2026-01-01T10:00:00Z' },
    });
    app.clock.advanceMinutes(120);
    expect(
      (await app.call('DELETE', `/api-keys/${bodyOf(response, 'createApiKey', 201).id}`, { headers: ALICE })).status,
    ).toBe(204);
  });

  it('204 with the session cookie and its CSRF token', async () => {
    const { id } = await mint(ALICE);
    const { cookie, csrf } = await signIn('alice', 'password123');
    expect((await app.call('DELETE', `/api-keys/${id}`, { headers: { cookie, 'x-csrf-token': csrf } })).status).toBe(
      204,
    );
  });

  it('403 csrf_error with the session cookie and no or a wrong token; the key survives', async () => {
    const { id, key } = await mint(ALICE);
    const { cookie, csrf } = await signIn('alice', 'password123');
    expectEnvelope(
      await app.call('DELETE', `/api-keys/${id}`, { headers: { cookie } }),
      403,
      'csrf_error',
      'Missing X-CSRF-Token header',
    );
    expectEnvelope(
      await app.call('DELETE', `/api-keys/${id}`, { headers: { cookie, 'x-csrf-token': csrf.slice(1) } }),
      403,
      'csrf_error',
      'Invalid CSRF token',
    );
    expect((await app.call('GET', '/apikey/data', { headers: bearer(key) })).status).toBe(200);
  });

  it('401 without credentials, and with the API key itself: a key cannot revoke keys', async () => {
    const { id, key } = await mint(ALICE);
    expectEnvelope(await app.call('DELETE', `/api-keys/${id}`), 401, 'authentication_error', 'Invalid credentials');
    expectEnvelope(await app.call('DELETE', `/api-keys/${id}`, { headers: bearer(key) }), 401, 'authentication_error');
    expect((await app.call('GET', '/apikey/data', { headers: bearer(key) })).status).toBe(200);
  });

  it('400 for a credential in the query string', async () => {
    const { id } = await mint(ALICE);
    expectEnvelope(
      await app.call('DELETE', `/api-keys/${id}?token=x`, { headers: ALICE }),
      400,
      'invalid_request_error',
    );
  });

  it('audits api_key.revoked with the actor and the key', async () => {
    const johns = await mint(JOHN);
    await app.call('DELETE', `/api-keys/${johns.id}`, { headers: ADMIN });
    const events = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'api_key.revoked')
      .execute();
    expect(events).toEqual([
      expect.objectContaining({
        outcome: 'success',
        actor_user_id: await userId('admin'),
        subject_type: 'api_key',
        subject_id: johns.id,
      }),
    ]);
  });
});
