import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, bearer, cookiesFrom, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf } from '../support/typed-responses.js';

const ADMIN = basic('admin', 'supersecret');
const JOHN = basic('john', 'secret123');
const PASSWORD = 'correct horse battery staple';

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(() => app.close());

async function idOf(username: string): Promise<string> {
  const user = await app.store.users.findByUsername(username);
  if (user === undefined) throw new Error(`no user ${username}`);
  return user.id;
}

async function createUser(body: Record<string, unknown>, headers = ADMIN) {
  return app.call('POST', '/users', { headers, body });
}

describe('PATCH /users/{id}', () => {
  async function patch(username: string, body: unknown, headers = ADMIN) {
    return app.call('PATCH', `/users/${await idOf(username)}`, { headers, body });
  }

  it('200 promotes a user, who at once gets into the admin zone', async () => {
    app.clock.advanceMinutes(5);
    const response = await patch('alice', { role: 'admin' });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      username: 'alice',
      role: 'admin',
      disabled: false,
      updated_at: app.clock.now().toISOString(),
    });
    expect((await app.call('GET', '/basic/admin', { headers: basic('alice', 'password123') })).status).toBe(200);
  });

  it('200 disables a user: their session, Basic credentials and API keys are all refused at once', async () => {
    const session = cookiesFrom(
      await app.call('POST', '/login', { body: { username: 'john', password: 'secret123' } }),
    );
    const before = await app.store.users.findByUsername('john');
    const response = await patch('john', { disabled: true });
    expect(response.status).toBe(200);
    expect(bodyOf(response, 'updateUser', 200).disabled).toBe(true);
    expectEnvelope(await app.call('GET', '/me', { headers: { cookie: session } }), 401, 'authentication_error');
    expectEnvelope(await app.call('GET', '/me', { headers: JOHN }), 401, 'authentication_error');
    expectEnvelope(
      await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') }),
      401,
      'authentication_error',
    );
    expectEnvelope(
      await app.call('GET', '/apikey/data', { headers: { 'x-api-key': 'sk_live_456' } }),
      401,
      'authentication_error',
    );
    expectEnvelope(
      await app.call('POST', '/login', { body: { username: 'john', password: 'secret123' } }),
      401,
      'authentication_error',
    );
    expect((await app.store.users.findByUsername('john'))?.credential_version).toBe(
      (before?.credential_version ?? 0) + 1,
    );
  });

  it('200 enables a user again: their password works, their ended sessions and revoked keys stay dead', async () => {
    const session = cookiesFrom(
      await app.call('POST', '/login', { body: { username: 'john', password: 'secret123' } }),
    );
    await patch('john', { disabled: true });
    const response = await patch('john', { disabled: false });
    expect(bodyOf(response, 'updateUser', 200).disabled).toBe(false);
    expect((await app.call('GET', '/me', { headers: JOHN })).status).toBe(200);
    expectEnvelope(await app.call('GET', '/me', { headers: { cookie: session } }), 401, 'authentication_error');
    expectEnvelope(
      await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') }),
      401,
      'authentication_error',
    );
  });

  it('409 when the only admin would demote or disable themself; allowed once another admin exists', async () => {
    expectEnvelope(
      await patch('admin', { role: 'user' }),
      409,
      'conflict_error',
      'At least one enabled admin must remain: promote another user first',
    );
    expectEnvelope(await patch('admin', { disabled: true }), 409, 'conflict_error');
    expect((await app.call('GET', '/basic/admin', { headers: ADMIN })).status).toBe(200);
    await patch('alice', { role: 'admin' });
    expect(bodyOf(await patch('admin', { role: 'user' }), 'updateUser', 200).role).toBe('user');
    expectEnvelope(await app.call('GET', '/users', { headers: ADMIN }), 403, 'authorization_error', 'Admins only');
  });

  it('404 for an unknown id', async () => {
    const response = await app.call('PATCH', '/users/usr_doesNotExist00', { headers: ADMIN, body: { disabled: true } });
    expectEnvelope(response, 404, 'not_found_error', 'User not found');
  });

  it.each([
    ['an empty object', {}],
    ['an unknown role', { role: 'root' }],
    ['a string for disabled', { disabled: 'yes' }],
    ['a field that cannot be changed here', { username: 'johnny' }],
  ])('422 for %s', async (_name, body) => {
    expectEnvelope(await patch('john', body), 422, 'validation_error');
  });

  it('403 for a user changing another user, or promoting themself', async () => {
    expectEnvelope(await patch('alice', { disabled: true }, JOHN), 403, 'authorization_error', 'Admins only');
    expectEnvelope(await patch('john', { role: 'admin' }, JOHN), 403, 'authorization_error', 'Admins only');
    expect((await app.store.users.findByUsername('john'))?.role).toBe('user');
  });

  it('401 without credentials', async () => {
    expectEnvelope(await patch('alice', { disabled: true }, {}), 401, 'authentication_error');
  });

  it('400 for a body that is not JSON, 413 for one over 100 KB, 415 for one that is not JSON by type', async () => {
    const path = `/users/${await idOf('john')}`;
    expectEnvelope(
      await app.call('PATCH', path, { headers: { ...ADMIN, 'content-type': 'application/json' }, body: '{"role":' }),
      400,
      'invalid_request_error',
    );
    expectEnvelope(
      await app.call('PATCH', path, { headers: ADMIN, body: { role: 'x'.repeat(110_000) } }),
      413,
      'invalid_request_error',
    );
    expectEnvelope(
      await app.call('PATCH', path, { headers: { ...ADMIN, 'content-type': 'text/plain' }, body: 'role=admin' }),
      415,
      'invalid_request_error',
    );
  });

  it('audits what changed and what it revoked', async () => {
    await patch('john', { disabled: true });
    const [event] = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'user.updated')
      .execute();
    expect(event).toMatchObject({
      actor_user_id: await idOf('admin'),
      username: 'john',
      subject_id: await idOf('john'),
    });
    expect(JSON.parse(event?.detail ?? '{}')).toEqual({ disabled: true, sessions_revoked: 0, api_keys_revoked: 2 });
  });
});

describe('DELETE /users/{id}', () => {
  it('204 deletes the user; their session, Basic credentials and API keys are refused', async () => {
    const session = cookiesFrom(
      await app.call('POST', '/login', { body: { username: 'john', password: 'secret123' } }),
    );
    const id = await idOf('john');
    const response = await app.call('DELETE', `/users/${id}`, { headers: ADMIN });
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expectEnvelope(await app.call('GET', `/users/${id}`, { headers: ADMIN }), 404, 'not_found_error');
    expectEnvelope(await app.call('GET', '/me', { headers: { cookie: session } }), 401, 'authentication_error');
    expectEnvelope(await app.call('GET', '/me', { headers: JOHN }), 401, 'authentication_error');
    expectEnvelope(
      await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') }),
      401,
      'authentication_error',
    );
    const [event] = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'user.deleted')
      .execute();
    expect(event).toMatchObject({ username: 'john', subject_id: id, actor_scheme: 'basic' });
  });

  it('the username is free again once its user is deleted', async () => {
    await app.call('DELETE', `/users/${await idOf('bob')}`, { headers: ADMIN });
    expect((await createUser({ username: 'Bob', password: PASSWORD, role: 'user' })).status).toBe(201);
  });

  it('404 for an unknown id, and for a user deleted already', async () => {
    const id = await idOf('bob');
    await app.call('DELETE', `/users/${id}`, { headers: ADMIN });
    expectEnvelope(
      await app.call('DELETE', `/users/${id}`, { headers: ADMIN }),
      404,
      'not_found_error',
      'User not found',
    );
  });

  it('409 when the only admin would delete themself', async () => {
    const response = await app.call('DELETE', `/users/${await idOf('admin')}`, { headers: ADMIN });
    expectEnvelope(
      response,
      409,
      'conflict_error',
      'At least one enabled admin must remain: promote another user first',
    );
    expect((await app.call('GET', '/basic/admin', { headers: ADMIN })).status).toBe(200);
  });

  it('403 for a user deleting another user, or themself', async () => {
    expectEnvelope(
      await app.call('DELETE', `/users/${await idOf('alice')}`, { headers: JOHN }),
      403,
      'authorization_error',
      'Admins only',
    );
    expectEnvelope(
      await app.call('DELETE', `/users/${await idOf('john')}`, { headers: JOHN }),
      403,
      'authorization_error',
    );
    expect(await app.store.users.count()).toBe(4);
  });

  it('401 without credentials', async () => {
    expectEnvelope(await app.call('DELETE', `/users/${await idOf('alice')}`), 401, 'authentication_error');
  });

  it('400 for a credential in the query string', async () => {
    expectEnvelope(
      await app.call('DELETE', `/users/${await idOf('alice')}?secret=x`, { headers: ADMIN }),
      400,
      'invalid_request_error',
    );
  });
});
