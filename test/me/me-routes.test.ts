import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, bearer, cookiesFrom, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf, errorOf } from '../support/typed-responses.js';

const NEW_PASSWORD = 'a much longer passphrase';

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(() => app.close());

async function signIn(username: string, password: string): Promise<string> {
  const response = await app.call('POST', '/login', { body: { username, password } });
  expect(response.status).toBe(200);
  return cookiesFrom(response);
}

describe('GET /me', () => {
  it('200 with Basic: the user and the scheme, no permissions', async () => {
    const response = await app.call('GET', '/me', { headers: basic('john', 'secret123') });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      user: { id: expect.stringMatching(/^usr_/), username: 'john', role: 'user' },
      auth: { scheme: 'basic' },
    });
  });

  it('200 with a session', async () => {
    const cookie = await signIn('alice', 'password123');
    const response = await app.call('GET', '/me', { headers: { cookie } });
    expect(response.json).toMatchObject({ user: { username: 'alice' }, auth: { scheme: 'session' } });
    expect(bodyOf(response, 'getMe', 200).auth.permissions).toBeUndefined();
  });

  it('200 with an API key, in either header, naming its permissions', async () => {
    const viaBearer = await app.call('GET', '/me', { headers: bearer('sk_test_123') });
    expect(viaBearer.json).toMatchObject({
      user: { username: 'john' },
      auth: { scheme: 'api_key', permissions: ['read', 'write'] },
    });
    const viaHeader = await app.call('GET', '/me', { headers: { 'x-api-key': 'sk_live_456' } });
    expect(bodyOf(viaHeader, 'getMe', 200).auth).toEqual({ scheme: 'api_key', permissions: ['read'] });
  });

  it('200 for an admin, with their role', async () => {
    const response = await app.call('GET', '/me', { headers: basic('admin', 'supersecret') });
    expect(bodyOf(response, 'getMe', 200).user).toMatchObject({ username: 'admin', role: 'admin' });
  });

  it('401 without credentials, challenging with Basic and Bearer', async () => {
    const response = await app.call('GET', '/me');
    expectEnvelope(response, 401, 'authentication_error');
    expect(response.headers['www-authenticate']).toBe(
      'Basic realm="gatehouse", charset="UTF-8", Bearer realm="gatehouse"',
    );
  });

  it('401 for a wrong password, worded for Basic; for an unknown key, worded for keys', async () => {
    expectEnvelope(
      await app.call('GET', '/me', { headers: basic('john', 'nope-nope') }),
      401,
      'authentication_error',
      'Invalid credentials',
    );
    expectEnvelope(
      await app.call('GET', '/me', { headers: bearer('sk_test_999') }),
      401,
      'authentication_error',
      'Invalid API Key',
    );
  });

  it('400 for a credential in the query string', async () => {
    expectEnvelope(await app.call('GET', '/me?api_key=sk_test_123'), 400, 'invalid_request_error');
  });
});

describe('POST /me/password', () => {
  async function change(headers: Record<string, string>, body: unknown) {
    return app.call('POST', '/me/password', { headers, body });
  }

  it('204 with Basic; the old password is refused at once and the new one works', async () => {
    const response = await change(basic('john', 'secret123'), {
      current_password: 'secret123',
      new_password: NEW_PASSWORD,
    });
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expectEnvelope(
      await app.call('GET', '/me', { headers: basic('john', 'secret123') }),
      401,
      'authentication_error',
      'Invalid credentials',
    );
    expect((await app.call('GET', '/me', { headers: basic('john', NEW_PASSWORD) })).status).toBe(200);
    expectEnvelope(
      await app.call('POST', '/login', { body: { username: 'john', password: 'secret123' } }),
      401,
      'authentication_error',
    );
  });

  it('bumps credential_version, so cached Basic credentials stop being honoured', async () => {
    const before = await app.store.users.findByUsername('john');
    await change(basic('john', 'secret123'), { current_password: 'secret123', new_password: NEW_PASSWORD });
    expect((await app.store.users.findByUsername('john'))?.credential_version).toBe(
      (before?.credential_version ?? 0) + 1,
    );
  });

  it('with a session: every other session ends, the one that asked stays', async () => {
    const login = await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    const mine = cookiesFrom(login);
    const other = await signIn('alice', 'password123');
    const bobs = await signIn('bob', 'securepass');
    const response = await change(
      { cookie: mine, 'x-csrf-token': bodyOf(login, 'login', 200).csrf_token },
      { current_password: 'password123', new_password: NEW_PASSWORD },
    );
    expect(response.status).toBe(204);
    expect((await app.call('GET', '/me', { headers: { cookie: mine } })).status).toBe(200);
    expectEnvelope(
      await app.call('GET', '/me', { headers: { cookie: other } }),
      401,
      'authentication_error',
      'Not authenticated',
    );
    expect((await app.call('GET', '/me', { headers: { cookie: bobs } })).status).toBe(200);
  });

  it('403 csrf_error with a session but without its CSRF token, changing nothing', async () => {
    const mine = await signIn('alice', 'password123');
    const response = await change({ cookie: mine }, { current_password: 'password123', new_password: NEW_PASSWORD });
    expectEnvelope(response, 403, 'csrf_error');
    expect((await app.call('GET', '/me', { headers: basic('alice', 'password123') })).status).toBe(200);
  });

  it('with Basic: every session of the user ends', async () => {
    const session = await signIn('john', 'secret123');
    await change(basic('john', 'secret123'), { current_password: 'secret123', new_password: NEW_PASSWORD });
    expectEnvelope(
      await app.call('GET', '/me', { headers: { cookie: session } }),
      401,
      'authentication_error',
      'Not authenticated',
    );
  });

  it('keeps the API keys of the user: they are not a password', async () => {
    await change(basic('john', 'secret123'), { current_password: 'secret123', new_password: NEW_PASSWORD });
    expect((await app.call('GET', '/me', { headers: bearer('sk_test_123') })).status).toBe(200);
  });

  it('204 with revoke_api_keys: every key of the user stops working at once; audited with the count', async () => {
    const minted = await app.call('POST', '/api-keys', {
      headers: basic('john', 'secret123'),
      body: { name: 'minted by a thief', permissions: ['read'] },
    });
    const stolenKey = bodyOf(minted, 'createApiKey', 201).key;
    const bobsKey = bodyOf(
      await app.call('POST', '/api-keys', {
        headers: basic('bob', 'securepass'),
        body: { name: 'bob', permissions: ['read'] },
      }),
      'createApiKey',
      201,
    ).key;
    const response = await change(basic('john', 'secret123'), {
      current_password: 'secret123',
      new_password: NEW_PASSWORD,
      revoke_api_keys: true,
    });
    expect(response.status).toBe(204);
    for (const key of ['sk_test_123', 'sk_live_456', stolenKey])
      expectEnvelope(await app.call('GET', '/me', { headers: bearer(key) }), 401, 'authentication_error');
    expect((await app.call('GET', '/me', { headers: bearer(bobsKey) })).status).toBe(200);
    const [event] = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'password.changed')
      .execute();
    expect(JSON.parse(event?.detail ?? '{}')).toEqual({ sessions_revoked: 0, api_keys_revoked: 3 });
  });

  it('revoke_api_keys false keeps the keys, as leaving it out does', async () => {
    const response = await change(basic('john', 'secret123'), {
      current_password: 'secret123',
      new_password: NEW_PASSWORD,
      revoke_api_keys: false,
    });
    expect(response.status).toBe(204);
    expect((await app.call('GET', '/me', { headers: bearer('sk_test_123') })).status).toBe(200);
  });

  it('revoke_api_keys revokes nothing when the current password is wrong', async () => {
    const response = await change(basic('john', 'secret123'), {
      current_password: 'secret124',
      new_password: NEW_PASSWORD,
      revoke_api_keys: true,
    });
    expectEnvelope(response, 422, 'validation_error');
    expect((await app.call('GET', '/me', { headers: bearer('sk_test_123') })).status).toBe(200);
  });

  it('422 for revoke_api_keys that is not a boolean', async () => {
    const response = await change(basic('john', 'secret123'), {
      current_password: 'secret123',
      new_password: NEW_PASSWORD,
      revoke_api_keys: 'yes',
    });
    expectEnvelope(response, 422, 'validation_error');
    expect(errorOf(response).details?.map((d) => d.path)).toContain('/body/revoke_api_keys');
  });

  it('422 for a wrong current password, changing nothing, and audited', async () => {
    const response = await change(basic('john', 'secret123'), {
      current_password: 'secret124',
      new_password: NEW_PASSWORD,
    });
    expectEnvelope(response, 422, 'validation_error');
    expect(errorOf(response).details).toEqual([
      { path: '/body/current_password', message: 'Current password is not correct' },
    ]);
    expect((await app.call('GET', '/me', { headers: basic('john', 'secret123') })).status).toBe(200);
    const events = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'password.changed')
      .execute();
    expect(events.map((e) => [e.outcome, e.username, e.actor_scheme])).toEqual([['failure', 'john', 'basic']]);
    expect(JSON.stringify(events)).not.toMatch(/secret12|passphrase/);
  });

  it.each([
    ['a common password', 'password123', /most common/],
    ['7 characters', 'x7Kp2mQ', /at least 8|fewer than 8/],
    ['257 characters', 'k'.repeat(257), /more than 256/],
    ['the username inside it', 'john-the-great-one', /username/],
  ])('422 for %s as the new password', async (_name, newPassword, message) => {
    const response = await change(basic('john', 'secret123'), {
      current_password: 'secret123',
      new_password: newPassword,
    });
    expectEnvelope(response, 422, 'validation_error');
    expect(errorOf(response).details).toEqual([
      { path: '/body/new_password', message: expect.stringMatching(message) },
    ]);
    expect((await app.call('GET', '/me', { headers: basic('john', 'secret123') })).status).toBe(200);
  });

  it('422 for a body without the fields', async () => {
    expectEnvelope(await change(basic('john', 'secret123'), { new_password: NEW_PASSWORD }), 422, 'validation_error');
    expectEnvelope(
      await change(basic('john', 'secret123'), {
        current_password: 'secret123',
        new_password: NEW_PASSWORD,
        role: 'admin',
      }),
      422,
      'validation_error',
    );
  });

  it('audits a change with the actor and the sessions it ended, never a password', async () => {
    await signIn('john', 'secret123');
    await change(basic('john', 'secret123'), { current_password: 'secret123', new_password: NEW_PASSWORD });
    const [event] = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'password.changed')
      .execute();
    const john = await app.store.users.findByUsername('john');
    expect(event).toMatchObject({
      outcome: 'success',
      actor_user_id: john?.id,
      actor_scheme: 'basic',
      subject_type: 'user',
      subject_id: john?.id,
      ip: '127.0.0.1',
    });
    expect(JSON.parse(event?.detail ?? '{}')).toEqual({ sessions_revoked: 1 });
    expect(JSON.stringify(event)).not.toMatch(/secret123|passphrase/);
  });

  it('401 for an API key: only a human credential may change a password', async () => {
    const response = await change(bearer('sk_test_123'), { current_password: 'secret123', new_password: NEW_PASSWORD });
    expectEnvelope(response, 401, 'authentication_error', 'Invalid credentials');
    expect(response.headers['www-authenticate']).toBe('Basic realm="gatehouse", charset="UTF-8"');
  });

  it('401 without credentials, before the body is looked at', async () => {
    expectEnvelope(await change({}, { nonsense: true }), 401, 'authentication_error');
  });

  it('400 for a body that is not JSON', async () => {
    const response = await app.call('POST', '/me/password', {
      headers: { ...basic('john', 'secret123'), 'content-type': 'application/json' },
      body: '{"current_password": ',
    });
    expectEnvelope(response, 400, 'invalid_request_error', 'Request body is not valid JSON');
  });

  it('413 for a body over 100 KB', async () => {
    const response = await change(basic('john', 'secret123'), {
      current_password: 'x'.repeat(110_000),
      new_password: NEW_PASSWORD,
    });
    expectEnvelope(response, 413, 'invalid_request_error');
  });

  it('415 for a body that is not JSON by its type', async () => {
    const response = await app.call('POST', '/me/password', {
      headers: { ...basic('john', 'secret123'), 'content-type': 'text/plain' },
      body: 'secret123',
    });
    expectEnvelope(response, 415, 'invalid_request_error');
  });
});
