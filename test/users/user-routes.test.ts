import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, bearer, cookiesFrom, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf, errorOf } from '../support/typed-responses.js';

const ADMIN = basic('admin', 'supersecret');
const JOHN = basic('john', 'secret123');
const PASSWORD = 'correct horse battery staple';
const ACCOUNT_KEYS = ['created_at', 'disabled', 'id', 'role', 'second_factors', 'updated_at', 'username'];

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

describe('POST /users', () => {
  it('201 creates a user who can then sign in; Location names them; no hash in the answer', async () => {
    const response = await createUser({ username: 'carol', password: PASSWORD, role: 'user' });
    expect(response.status).toBe(201);
    expect(Object.keys(bodyOf(response, 'createUser', 201)).sort()).toEqual(ACCOUNT_KEYS);
    expect(response.json).toMatchObject({
      username: 'carol',
      role: 'user',
      disabled: false,
      created_at: app.clock.now().toISOString(),
    });
    expect(response.headers.location).toBe(`/users/${bodyOf(response, 'createUser', 201).id}`);
    expect(response.text).not.toMatch(/\$2b\$|password/);
    expect(
      bodyOf(await app.call('GET', '/me', { headers: basic('carol', PASSWORD) }), 'getMe', 200).user.username,
    ).toBe('carol');
  });

  it('201 for an admin, who may then use the admin routes', async () => {
    await createUser({ username: 'root2', password: PASSWORD, role: 'admin' });
    expect((await app.call('GET', '/basic/admin', { headers: basic('root2', PASSWORD) })).status).toBe(200);
  });

  it('409 for a username taken in another case', async () => {
    const response = await createUser({ username: 'JOHN', password: PASSWORD, role: 'user' });
    expectEnvelope(response, 409, 'conflict_error', 'Username is already taken');
  });

  it.each([
    ['a colon in the username', { username: 'carol:x', password: PASSWORD, role: 'user' }, '/body/username'],
    ['a space in the username', { username: 'carol smith', password: PASSWORD, role: 'user' }, '/body/username'],
    ['an empty username', { username: '', password: PASSWORD, role: 'user' }, '/body/username'],
    ['a 65-character username', { username: 'c'.repeat(65), password: PASSWORD, role: 'user' }, '/body/username'],
    ['a common password', { username: 'carol', password: 'iloveyou', role: 'user' }, '/body/password'],
    ['a 7-character password', { username: 'carol', password: 'x7Kp2mQ', role: 'user' }, '/body/password'],
    ['a 257-character password', { username: 'carol', password: 'é'.repeat(257), role: 'user' }, '/body/password'],
    ['an unknown role', { username: 'carol', password: PASSWORD, role: 'root' }, '/body/role'],
    ['no role', { username: 'carol', password: PASSWORD }, '/body/role'],
    ['an unknown field', { username: 'carol', password: PASSWORD, role: 'user', disabled: true }, '/body/disabled'],
  ])('422 for %s', async (_name, body, path) => {
    const response = await createUser(body);
    expectEnvelope(response, 422, 'validation_error');
    expect(errorOf(response).details?.map((d: { path: string }) => d.path)).toContain(path);
    expect(await app.store.users.findByUsername('carol')).toBeUndefined();
  });

  it('403 for a user who is not an admin', async () => {
    expectEnvelope(
      await createUser({ username: 'carol', password: PASSWORD, role: 'admin' }, JOHN),
      403,
      'authorization_error',
      'Admins only',
    );
  });

  it('401 without credentials, and for an API key even with write permission', async () => {
    expectEnvelope(
      await createUser({ username: 'carol', password: PASSWORD, role: 'user' }, {}),
      401,
      'authentication_error',
    );
    const withKey = await createUser({ username: 'carol', password: PASSWORD, role: 'user' }, bearer('sk_test_123'));
    expectEnvelope(withKey, 401, 'authentication_error', 'Invalid credentials');
  });

  it('400 for a body that is not JSON, 413 for one over 100 KB, 415 for one that is not JSON by type', async () => {
    expectEnvelope(
      await app.call('POST', '/users', {
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: '{"username"',
      }),
      400,
      'invalid_request_error',
    );
    expectEnvelope(
      await createUser({ username: 'carol', password: 'x'.repeat(110_000), role: 'user' }),
      413,
      'invalid_request_error',
    );
    expectEnvelope(
      await app.call('POST', '/users', { headers: { ...ADMIN, 'content-type': 'text/plain' }, body: 'carol' }),
      415,
      'invalid_request_error',
    );
  });

  it('audits the creation with the admin who did it, never the password', async () => {
    const response = await createUser({ username: 'carol', password: PASSWORD, role: 'user' });
    const events = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'user.created')
      .execute();
    expect(events).toMatchObject([
      {
        outcome: 'success',
        actor_user_id: await idOf('admin'),
        actor_scheme: 'basic',
        username: 'carol',
        subject_id: bodyOf(response, 'createUser', 201).id,
      },
    ]);
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });
});

describe('GET /users', () => {
  it('200 lists every user, newest first, without hashes', async () => {
    app.clock.advanceMinutes(1);
    await createUser({ username: 'carol', password: PASSWORD, role: 'user' });
    const response = await app.call('GET', '/users', { headers: ADMIN });
    expect(response.status).toBe(200);
    expect(bodyOf(response, 'listUsers', 200).has_more).toBe(false);
    expect(bodyOf(response, 'listUsers', 200).data).toHaveLength(5);
    expect(bodyOf(response, 'listUsers', 200).data[0]!.username).toBe('carol');
    expect(
      bodyOf(response, 'listUsers', 200)
        .data.map((u) => u.username)
        .sort(),
    ).toEqual(['admin', 'alice', 'bob', 'carol', 'john']);
    expect(Object.keys(bodyOf(response, 'listUsers', 200).data[0]!).sort()).toEqual(ACCOUNT_KEYS);
    expect(response.text).not.toContain('$2b$');
  });

  it('200 a page at a time: limit, has_more and starting_after', async () => {
    const first = await app.call('GET', '/users?limit=3', { headers: ADMIN });
    expect(bodyOf(first, 'listUsers', 200).data).toHaveLength(3);
    expect(bodyOf(first, 'listUsers', 200).has_more).toBe(true);
    const last = bodyOf(first, 'listUsers', 200).data[2]!.id;
    const second = await app.call('GET', `/users?limit=3&starting_after=${last}`, { headers: ADMIN });
    expect(bodyOf(second, 'listUsers', 200).data).toHaveLength(1);
    expect(bodyOf(second, 'listUsers', 200).has_more).toBe(false);
    const all = await app.call('GET', '/users', { headers: ADMIN });
    expect([...bodyOf(first, 'listUsers', 200).data, ...bodyOf(second, 'listUsers', 200).data]).toEqual(
      bodyOf(all, 'listUsers', 200).data,
    );
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['starting_after=usr_doesNotExist00', 'starting_after'],
  ])('422 for %s', async (query, parameter) => {
    const response = await app.call('GET', `/users?${query}`, { headers: ADMIN });
    expectEnvelope(response, 422, 'validation_error');
    expect(errorOf(response).details?.[0]?.path).toBe(`/query/${parameter}`);
  });

  it('403 for a user who is not an admin; 401 without credentials or with an API key', async () => {
    expectEnvelope(await app.call('GET', '/users', { headers: JOHN }), 403, 'authorization_error', 'Admins only');
    expectEnvelope(await app.call('GET', '/users'), 401, 'authentication_error');
    expectEnvelope(
      await app.call('GET', '/users', { headers: { 'x-api-key': 'sk_test_123' } }),
      401,
      'authentication_error',
    );
  });

  it('200 for an admin signed in with a session; 403 for a user with one', async () => {
    const adminSession = cookiesFrom(
      await app.call('POST', '/login', { body: { username: 'admin', password: 'supersecret' } }),
    );
    expect((await app.call('GET', '/users', { headers: { cookie: adminSession } })).status).toBe(200);
    const userSession = cookiesFrom(
      await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } }),
    );
    expectEnvelope(
      await app.call('GET', '/users', { headers: { cookie: userSession } }),
      403,
      'authorization_error',
      'Admins only',
    );
  });

  it('400 for a credential in the query string', async () => {
    expectEnvelope(await app.call('GET', '/users?token=abc', { headers: ADMIN }), 400, 'invalid_request_error');
  });
});

describe('GET /users/{id}', () => {
  it('200 with the user', async () => {
    const id = await idOf('alice');
    const response = await app.call('GET', `/users/${id}`, { headers: ADMIN });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ id, username: 'alice', role: 'user', disabled: false });
  });

  it('404 for an unknown id', async () => {
    expectEnvelope(
      await app.call('GET', '/users/usr_doesNotExist00', { headers: ADMIN }),
      404,
      'not_found_error',
      'User not found',
    );
  });

  it('403 for a user asking about another user, and about themself', async () => {
    expectEnvelope(
      await app.call('GET', `/users/${await idOf('alice')}`, { headers: JOHN }),
      403,
      'authorization_error',
      'Admins only',
    );
    expectEnvelope(
      await app.call('GET', `/users/${await idOf('john')}`, { headers: JOHN }),
      403,
      'authorization_error',
    );
  });

  it('401 without credentials', async () => {
    expectEnvelope(await app.call('GET', `/users/${await idOf('alice')}`), 401, 'authentication_error');
  });

  it('400 for a credential in the query string', async () => {
    expectEnvelope(
      await app.call('GET', `/users/${await idOf('alice')}?password=x`, { headers: ADMIN }),
      400,
      'invalid_request_error',
    );
  });
});
