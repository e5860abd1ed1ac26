import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf, errorOf } from '../support/typed-responses.js';

const ADMIN = basic('admin', 'supersecret');

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(() => app.close());

async function failLogin(username: string): Promise<void> {
  await app.call('POST', '/login', { body: { username, password: 'not-the-password' } });
}

async function listed(query: string): Promise<Array<{ action: string; username: string | null; occurred_at: string }>> {
  const response = await app.call('GET', `/audit-events?${query}`, { headers: ADMIN });
  expect(response.status).toBe(200);
  return bodyOf(response, 'listAuditEvents', 200).data;
}

describe('GET /audit-events with filters', () => {
  beforeEach(async () => {
    await failLogin('alice'); // 09:00
    app.clock.advanceMinutes(60);
    await app.call('POST', '/login', { body: { username: 'Alice', password: 'password123' } }); // 10:00
    app.clock.advanceMinutes(60);
    await failLogin('bob'); // 11:00
    await app.call('POST', '/users', {
      headers: ADMIN,
      body: { username: 'carol', password: 'correct horse battery staple', role: 'user' },
    });
  });

  it('200 only the events of the actions named, one or several', async () => {
    expect((await listed('action=user.created')).map((e) => e.username)).toEqual(['carol']);
    const signIns = await listed('action=login.failed&action=login.succeeded');
    expect(signIns.map((e) => [e.action, e.username])).toEqual([
      ['login.failed', 'bob'],
      ['login.succeeded', 'alice'],
      ['login.failed', 'alice'],
    ]);
  });

  it('200 only the events of a username, regardless of case', async () => {
    expect((await listed('username=ALICE')).map((e) => e.action)).toEqual(['login.succeeded', 'login.failed']);
  });

  it('200 only failures, or only successes', async () => {
    expect((await listed('outcome=failure')).map((e) => e.username)).toEqual(['bob', 'alice']);
    expect((await listed('outcome=success')).map((e) => e.action)).toEqual(['user.created', 'login.succeeded']);
  });

  it('200 within a time range: since inclusive, until exclusive, any offset', async () => {
    const range = await listed(
      `since=${encodeURIComponent('2026-01-01T10:00:00Z')}&until=${encodeURIComponent('2026-01-01T12:00:00+01:00')}`,
    );
    expect(range.map((e) => e.action)).toEqual(['login.succeeded']);
  });

  it('200 page after page of a filtered list with starting_after', async () => {
    const first = await app.call('GET', '/audit-events?outcome=failure&limit=1', { headers: ADMIN });
    expect(first.json).toMatchObject({ has_more: true, data: [{ username: 'bob' }] });
    const next = await app.call(
      'GET',
      `/audit-events?outcome=failure&limit=1&starting_after=${bodyOf(first, 'listAuditEvents', 200).data[0]!.id}`,
      {
        headers: ADMIN,
      },
    );
    expect(next.json).toMatchObject({ has_more: false, data: [{ username: 'alice', action: 'login.failed' }] });
  });

  it.each([
    ['since=2026-01-01T10:00:00Z&until=2026-01-01T10:00:00Z', 'since'],
    ['since=yesterday', 'since'],
    ['outcome=maybe', 'outcome'],
    ['action=DROP%20TABLE', 'action'],
  ])('422 for %s', async (query, parameter) => {
    const response = await app.call('GET', `/audit-events?${query}`, { headers: ADMIN });
    expectEnvelope(response, 422, 'validation_error');
    expect(errorOf(response).details?.[0]?.path).toMatch(new RegExp(`^/query/${parameter}`));
  });
});

describe('GET /audit-events/stats', () => {
  it('200 24 hourly buckets ending with the current hour, zeros included', async () => {
    app.clock.advanceMinutes(30); // 09:30
    const response = await app.call('GET', '/audit-events/stats', { headers: ADMIN });
    expect(response.status).toBe(200);
    expect(bodyOf(response, 'getAuditEventStats', 200).since).toBe('2025-12-31T10:00:00.000Z');
    expect(bodyOf(response, 'getAuditEventStats', 200).until).toBe('2026-01-01T10:00:00.000Z');
    expect(bodyOf(response, 'getAuditEventStats', 200).buckets).toHaveLength(24);
    expect(bodyOf(response, 'getAuditEventStats', 200).buckets[0]).toEqual({
      hour: '2025-12-31T10:00:00.000Z',
      success: 0,
      failure: 0,
    });
    expect(bodyOf(response, 'getAuditEventStats', 200).buckets[23]).toEqual({
      hour: '2026-01-01T09:00:00.000Z',
      success: 0,
      failure: 0,
    });
  });

  it('200 counts each event in the hour it happened, by outcome, until it is 24 hours old', async () => {
    await failLogin('alice');
    await failLogin('bob');
    app.clock.advanceMinutes(59); // 09:59, still the same hour
    await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    app.clock.advanceMinutes(2); // 10:01
    await failLogin('alice');
    const now = await app.call('GET', '/audit-events/stats?action=login.failed&action=login.succeeded', {
      headers: ADMIN,
    });
    expect(bodyOf(now, 'getAuditEventStats', 200).buckets.slice(-2)).toEqual([
      { hour: '2026-01-01T09:00:00.000Z', success: 1, failure: 2 },
      { hour: '2026-01-01T10:00:00.000Z', success: 0, failure: 1 },
    ]);

    app.clock.advanceMinutes(23 * 60); // 09:01 the next day: the 09:00 hour of yesterday has left the window
    const later = await app.call('GET', '/audit-events/stats', { headers: ADMIN });
    expect(bodyOf(later, 'getAuditEventStats', 200).buckets[0]).toEqual({
      hour: '2026-01-01T10:00:00.000Z',
      success: 0,
      failure: 1,
    });
    const total = bodyOf(later, 'getAuditEventStats', 200).buckets.reduce(
      (sum: number, b: { success: number; failure: number }) => sum + b.success + b.failure,
      0,
    );
    expect(total).toBe(1);
  });

  it('200 counts only the actions named', async () => {
    await failLogin('alice');
    await app.call('POST', '/users', {
      headers: ADMIN,
      body: { username: 'carol', password: 'correct horse battery staple', role: 'user' },
    });
    const created = await app.call('GET', '/audit-events/stats?action=user.created', { headers: ADMIN });
    expect(bodyOf(created, 'getAuditEventStats', 200).buckets[23]).toEqual({
      hour: '2026-01-01T09:00:00.000Z',
      success: 1,
      failure: 0,
    });
  });

  it('422 for an action that is no action name', async () => {
    expectEnvelope(
      await app.call('GET', '/audit-events/stats?action=%3Cscript%3E', { headers: ADMIN }),
      422,
      'validation_error',
    );
  });

  it('403 for a user who is not an admin', async () => {
    expectEnvelope(
      await app.call('GET', '/audit-events/stats', { headers: basic('john', 'secret123') }),
      403,
      'authorization_error',
      'Admins only',
    );
  });
});
