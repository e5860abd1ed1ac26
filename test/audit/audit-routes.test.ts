import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditEventRow } from '../support/rows.js';
import { basic, bearer, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf, errorOf } from '../support/typed-responses.js';

const ADMIN = basic('admin', 'supersecret');

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(() => app.close());

async function eventsOf(action: string) {
  return app.store.db.selectFrom('audit_events').selectAll().where('action', '=', action).execute();
}

describe('basic.failed', () => {
  it('records the username that wrong Basic credentials named, known or not, never the password', async () => {
    await app.call('GET', '/basic/profile', { headers: basic('john', 'not-johns-password') });
    await app.call('GET', '/me', { headers: basic('mallory', 'guess-123') });
    const events = await eventsOf('basic.failed');
    expect(events.map((e) => [e.username, e.outcome, e.ip, e.actor_user_id]).sort()).toEqual([
      ['john', 'failure', '127.0.0.1', null],
      ['mallory', 'failure', '127.0.0.1', null],
    ]);
    expect(events.every((e) => typeof e.request_id === 'string')).toBe(true);
    expect(JSON.stringify(events)).not.toMatch(/not-johns-password|guess-123/);
  });

  it('records a disabled user signing in with their right password', async () => {
    await app.call('PATCH', `/users/${(await app.store.users.findByUsername('bob'))?.id}`, {
      headers: ADMIN,
      body: { disabled: true },
    });
    await app.call('GET', '/me', { headers: basic('bob', 'securepass') });
    expect((await eventsOf('basic.failed')).map((e) => e.username)).toEqual(['bob']);
  });

  it('records malformed Basic credentials without a username', async () => {
    await app.call('GET', '/basic/profile', { headers: { authorization: 'Basic !!!' } });
    const [event] = await eventsOf('basic.failed');
    expect(event?.username).toBeNull();
    expect(JSON.parse(event?.detail ?? '{}')).toEqual({ reason: 'malformed' });
  });

  it('records nothing for good credentials, for no credentials, nor for a user lacking a role', async () => {
    await app.call('GET', '/basic/profile', { headers: basic('john', 'secret123') });
    await app.call('GET', '/basic/profile');
    await app.call('GET', '/basic/admin', { headers: basic('john', 'secret123') });
    await app.call('GET', '/me', { headers: bearer('sk_test_999') });
    expect(await eventsOf('basic.failed')).toEqual([]);
  });
});

describe('GET /audit-events', () => {
  it('200 lists events newest first, with their detail as an object', async () => {
    await app.call('POST', '/login', { body: { username: 'alice', password: 'wrong-password' } });
    app.clock.advanceMinutes(1);
    await app.call('POST', '/users', {
      headers: ADMIN,
      body: { username: 'carol', password: 'correct horse battery staple', role: 'user' },
    });
    const response = await app.call('GET', '/audit-events', { headers: ADMIN });
    expect(response.status).toBe(200);
    expect(bodyOf(response, 'listAuditEvents', 200).has_more).toBe(false);
    expect(bodyOf(response, 'listAuditEvents', 200).data.map((e) => e.action)).toEqual([
      'user.created',
      'login.failed',
    ]);
    const [created, failed] = bodyOf(response, 'listAuditEvents', 200).data;
    expect(created).toMatchObject({
      outcome: 'success',
      actor_scheme: 'basic',
      username: 'carol',
      subject_type: 'user',
      detail: { role: 'user' },
    });
    expect(failed).toMatchObject({
      outcome: 'failure',
      actor_user_id: null,
      username: 'alice',
      ip: '127.0.0.1',
      detail: null,
      occurred_at: '2026-01-01T09:00:00.000Z',
    });
    expect(Object.keys(failed!).sort()).toEqual(
      [
        'action',
        'actor_scheme',
        'actor_user_id',
        'detail',
        'id',
        'ip',
        'occurred_at',
        'outcome',
        'request_id',
        'subject_id',
        'subject_type',
        'user_agent',
        'username',
      ].sort(),
    );
  });

  it('200 twenty at a time by default, then page after page with starting_after', async () => {
    for (let i = 0; i < 25; i++) {
      app.clock.advanceMinutes(1);
      await app.store.auditEvents.insert(
        auditEventRow({
          occurred_at: app.clock.now().toISOString(),
          action: 'logout',
          outcome: 'success',
          username: `u${i}`,
        }),
      );
    }
    const first = await app.call('GET', '/audit-events', { headers: ADMIN });
    expect(bodyOf(first, 'listAuditEvents', 200).data).toHaveLength(20);
    expect(bodyOf(first, 'listAuditEvents', 200).has_more).toBe(true);
    expect(bodyOf(first, 'listAuditEvents', 200).data[0]!.username).toBe('u24');
    const last = bodyOf(first, 'listAuditEvents', 200).data[19]!.id;
    const second = await app.call('GET', `/audit-events?limit=100&starting_after=${last}`, { headers: ADMIN });
    expect(bodyOf(second, 'listAuditEvents', 200).data.map((e) => e.username)).toEqual(['u4', 'u3', 'u2', 'u1', 'u0']);
    expect(bodyOf(second, 'listAuditEvents', 200).has_more).toBe(false);
    const small = await app.call('GET', '/audit-events?limit=1', { headers: ADMIN });
    expect(bodyOf(small, 'listAuditEvents', 200).data).toHaveLength(1);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['starting_after=evt_doesNotExist00', 'starting_after'],
  ])('422 for %s', async (query, parameter) => {
    const response = await app.call('GET', `/audit-events?${query}`, { headers: ADMIN });
    expectEnvelope(response, 422, 'validation_error');
    expect(errorOf(response).details?.[0]?.path).toBe(`/query/${parameter}`);
  });

  it('403 for a user who is not an admin', async () => {
    expectEnvelope(
      await app.call('GET', '/audit-events', { headers: basic('john', 'secret123') }),
      403,
      'authorization_error',
      'Admins only',
    );
  });

  it('401 without credentials, and for an API key', async () => {
    expectEnvelope(await app.call('GET', '/audit-events'), 401, 'authentication_error');
    expectEnvelope(
      await app.call('GET', '/audit-events', { headers: bearer('sk_test_123') }),
      401,
      'authentication_error',
    );
  });

  it('400 for a credential in the query string', async () => {
    expectEnvelope(
      await app.call('GET', '/audit-events?access_token=x', { headers: ADMIN }),
      400,
      'invalid_request_error',
    );
  });

  it('no event holds a password, whatever happened', async () => {
    const secrets = [
      'wrong-for-alice',
      'correct horse battery staple',
      'another good passphrase',
      'guess-for-basic',
      'password123',
    ];
    await app.call('POST', '/login', { body: { username: 'alice', password: 'wrong-for-alice' } });
    await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    await app.call('GET', '/me', { headers: basic('alice', 'guess-for-basic') });
    await app.call('POST', '/users', {
      headers: ADMIN,
      body: { username: 'carol', password: 'correct horse battery staple', role: 'user' },
    });
    await app.call('POST', '/me/password', {
      headers: basic('carol', 'correct horse battery staple'),
      body: { current_password: 'correct horse battery staple', new_password: 'another good passphrase' },
    });
    const response = await app.call('GET', '/audit-events', { headers: ADMIN });
    expect(
      bodyOf(response, 'listAuditEvents', 200)
        .data.map((e) => e.action)
        .sort(),
    ).toEqual(['basic.failed', 'login.failed', 'login.succeeded', 'password.changed', 'user.created']);
    for (const secret of [...secrets, 'supersecret']) expect(response.text).not.toContain(secret);
  });
});
