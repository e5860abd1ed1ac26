import { afterEach, describe, expect, it } from 'vitest';
import { signIn, signInWithTotp, totpCode, turnOnTotp } from '../support/second-factor.js';
import { basic, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf } from '../support/typed-responses.js';

/** What admins see of second factors, how they reset them, and MFA_REQUIRED_FOR_ADMINS. */
let app: TestApp;
afterEach(() => app.close());

const ADMIN = basic('admin', 'supersecret');

async function userId(username: string): Promise<string> {
  const row = await app.store.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
  return row?.id ?? 'missing';
}

describe('second_factors in the admin view of users', () => {
  it('GET /users and GET /users/{id} show who has TOTP', async () => {
    app = await startTestApp();
    await turnOnTotp(app, 'alice', 'password123');
    const list = bodyOf(await app.call('GET', '/users', { headers: ADMIN }), 'listUsers', 200).data;
    expect(Object.fromEntries(list.map((u) => [u.username, u.second_factors]))).toMatchObject({
      alice: { totp: true, passkeys: 0 },
      bob: { totp: false, passkeys: 0 },
    });
    const one = await app.call('GET', `/users/${await userId('alice')}`, { headers: ADMIN });
    expect(bodyOf(one, 'getUser', 200).second_factors).toEqual({ totp: true, passkeys: 0 });
  });
});

describe('DELETE /users/{id}/second-factors', () => {
  it('204: TOTP and recovery codes gone, the user signs in with the password alone; audited', async () => {
    app = await startTestApp();
    await turnOnTotp(app, 'alice', 'password123');
    const id = await userId('alice');
    expect((await app.call('DELETE', `/users/${id}/second-factors`, { headers: ADMIN })).status).toBe(204);
    expect(await app.store.db.selectFrom('recovery_codes').selectAll().execute()).toEqual([]);
    const login = await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    expect('user' in bodyOf(login, 'login', 200)).toBe(true);
    const [event] = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'second_factors.reset')
      .execute();
    expect(event).toMatchObject({ subject_id: id, actor_scheme: 'basic', username: 'alice' });
  });

  it('404 for an unknown user; 403 for a non-admin', async () => {
    app = await startTestApp();
    expectEnvelope(
      await app.call('DELETE', '/users/usr_nobody/second-factors', { headers: ADMIN }),
      404,
      'not_found_error',
    );
    const response = await app.call('DELETE', `/users/${await userId('bob')}/second-factors`, {
      headers: basic('john', 'secret123'),
    });
    expectEnvelope(response, 403, 'authorization_error', 'Admins only');
  });

  it('an admin with TOTP resets only with a fresh code (step-up), and needs the CSRF token', async () => {
    app = await startTestApp();
    const admin = await turnOnTotp(app, 'admin', 'supersecret');
    await turnOnTotp(app, 'alice', 'password123');
    const session = await signInWithTotp(app, 'admin', 'supersecret', admin.secret);
    const path = `/users/${await userId('alice')}/second-factors`;
    expectEnvelope(await app.call('DELETE', path, { headers: { cookie: session.cookie } }), 403, 'csrf_error');
    app.clock.advanceMinutes(11);
    expectEnvelope(await app.call('DELETE', path, { headers: session }), 403, 'authorization_error');
    expectEnvelope(
      await app.call('PATCH', `/users/${await userId('bob')}`, { headers: session, body: { disabled: true } }),
      403,
      'authorization_error',
    );
    const confirmed = await app.call('POST', '/me/session/confirm', {
      headers: session,
      body: { password: 'supersecret', code: totpCode(admin.secret, app) },
    });
    expect(confirmed.status).toBe(200);
    expect((await app.call('DELETE', path, { headers: session })).status).toBe(204);
  });
});

describe('MFA_REQUIRED_FOR_ADMINS', () => {
  const POLICY = 'Admins must turn on a second factor first: POST /me/totp';

  it('on: an admin without a factor is refused on admin operations, but signs in and turns TOTP on, then passes', async () => {
    app = await startTestApp({ config: { mfaRequiredForAdmins: true } });
    expectEnvelope(await app.call('GET', '/users', { headers: ADMIN }), 403, 'authorization_error', POLICY);
    expectEnvelope(await app.call('GET', '/basic/admin', { headers: ADMIN }), 403, 'authorization_error', POLICY);
    const session = await signIn(app, 'admin', 'supersecret');
    expectEnvelope(await app.call('GET', '/audit-events', { headers: session }), 403, 'authorization_error', POLICY);
    expectEnvelope(
      await app.call('POST', '/users', {
        headers: session,
        body: { username: 'carol', password: 'correct horse battery', role: 'user' },
      }),
      403,
      'authorization_error',
      POLICY,
    );
    // Not admin-only: the admin's own account still answers.
    expect((await app.call('GET', '/me', { headers: session })).status).toBe(200);
    const admin = await turnOnTotp(app, 'admin', 'supersecret');
    const full = await signInWithTotp(app, 'admin', 'supersecret', admin.secret);
    expect((await app.call('GET', '/users', { headers: full })).status).toBe(200);
  });

  it('off (the default): admins without a factor work as before; users are never affected', async () => {
    app = await startTestApp();
    expect((await app.call('GET', '/users', { headers: ADMIN })).status).toBe(200);
    app.clock.advanceSeconds(1);
    await app.close();
    app = await startTestApp({ config: { mfaRequiredForAdmins: true } });
    expect((await app.call('GET', '/basic/profile', { headers: basic('john', 'secret123') })).status).toBe(200);
  });
});
