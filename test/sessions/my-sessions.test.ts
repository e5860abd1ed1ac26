import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  basic,
  bearer,
  cookiesFrom,
  expectEnvelope,
  setCookieHeaders,
  startTestApp,
  type TestApp,
  type TestResponse,
} from '../support/test-app.js';
import { bodyOf } from '../support/typed-responses.js';

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(() => app.close());

const ALICE = basic('alice', 'password123');

interface SignedIn {
  cookie: string;
  csrf: string;
  /** Headers for an unsafe request made with this session. */
  write: Record<string, string>;
}

async function signIn(username = 'alice', password = 'password123', userAgent = 'test-browser'): Promise<SignedIn> {
  const response = await app.call('POST', '/login', {
    body: { username, password },
    headers: { 'user-agent': userAgent },
  });
  const cookie = cookiesFrom(response);
  return {
    cookie,
    csrf: bodyOf(response, 'login', 200).csrf_token,
    write: { cookie, 'x-csrf-token': bodyOf(response, 'login', 200).csrf_token },
  };
}

async function list(headers: Record<string, string>): Promise<TestResponse> {
  return app.call('GET', '/me/sessions', { headers });
}

async function dashboard(cookie: string): Promise<number> {
  return (await app.call('GET', '/dashboard', { headers: { cookie } })).status;
}

function clearsCookie(response: TestResponse): boolean {
  return setCookieHeaders(response).some(
    (c) => c.startsWith('gatehouse_session=') && /expires=Thu, 01 Jan 1970/i.test(c),
  );
}

describe('GET /me/sessions', () => {
  it("200 lists the caller's live sessions, newest first, marking the current one", async () => {
    const laptop = await signIn('alice', 'password123', 'laptop');
    app.clock.advanceMinutes(2);
    const phone = await signIn('alice', 'password123', 'phone');
    const response = await list({ cookie: laptop.cookie });
    expect(response.status).toBe(200);
    expect(bodyOf(response, 'listMySessions', 200).data.map((s) => [s.user_agent, s.current])).toEqual([
      ['phone', false],
      ['laptop', true],
    ]);
    expect(bodyOf(response, 'listMySessions', 200).data[1]).toEqual({
      id: expect.stringMatching(/^ses_/),
      created_at: '2026-01-01T09:00:00.000Z',
      last_seen_at: '2026-01-01T09:02:00.000Z',
      expires_at: '2026-01-01T09:32:00.000Z',
      current: true,
      user_agent: 'laptop',
      ip: '127.0.0.1',
    });
    expect(bodyOf(await list({ cookie: phone.cookie }), 'listMySessions', 200).data[0]!.current).toBe(true);
  });

  it('200 with Basic: the same sessions, none of them current', async () => {
    await signIn();
    const response = await list(ALICE);
    expect(bodyOf(response, 'listMySessions', 200).data).toHaveLength(1);
    expect(bodyOf(response, 'listMySessions', 200).data[0]!.current).toBe(false);
  });

  it('expires_at is the absolute end once that comes before the idle end', async () => {
    await app.close();
    app = await startTestApp({ config: { sessionIdleMinutes: 60, sessionAbsoluteHours: 1 } });
    const { cookie } = await signIn();
    app.clock.advanceMinutes(30);
    // Used at 09:30: idle until 10:30, but the session ends at 10:00 whatever happens.
    const [session] = bodyOf(await list({ cookie }), 'listMySessions', 200).data;
    expect(session?.last_seen_at).toBe('2026-01-01T09:30:00.000Z');
    expect(session?.expires_at).toBe('2026-01-01T10:00:00.000Z');
  });

  it("never lists other users' sessions, ended ones, or idle ones", async () => {
    await signIn('bob', 'securepass');
    const ended = await signIn();
    await app.call('POST', '/logout', { headers: { cookie: ended.cookie } });
    await signIn();
    app.clock.advanceMinutes(31);
    const fresh = await signIn();
    const response = await list({ cookie: fresh.cookie });
    expect(bodyOf(response, 'listMySessions', 200).data).toHaveLength(1);
    expect(bodyOf(response, 'listMySessions', 200).data[0]!.current).toBe(true);
  });

  it('never shows a token or a hash', async () => {
    const { cookie, csrf } = await signIn();
    const response = await list({ cookie });
    expect(Object.keys(bodyOf(response, 'listMySessions', 200).data[0]!).sort()).toEqual([
      'created_at',
      'current',
      'expires_at',
      'id',
      'ip',
      'last_seen_at',
      'user_agent',
    ]);
    expect(response.text).not.toContain(csrf);
  });

  it('401 without credentials, and with an API key', async () => {
    expectEnvelope(await list({}), 401, 'authentication_error', 'Invalid credentials');
    expectEnvelope(await list(bearer('sk_test_123')), 401, 'authentication_error');
  });

  it('400 for a credential in the query string', async () => {
    expectEnvelope(await app.call('GET', '/me/sessions?password=x', { headers: ALICE }), 400, 'invalid_request_error');
  });
});

describe('DELETE /me/sessions/{id}', () => {
  async function idOf(userAgent: string): Promise<string> {
    const sessions = bodyOf(await list(ALICE), 'listMySessions', 200).data as Array<{ id: string; user_agent: string }>;
    return sessions.find((s) => s.user_agent === userAgent)!.id;
  }

  it("204 ends another of the caller's sessions, whose cookie stops working at once", async () => {
    const laptop = await signIn('alice', 'password123', 'laptop');
    const lost = await signIn('alice', 'password123', 'lost-phone');
    const response = await app.call('DELETE', `/me/sessions/${await idOf('lost-phone')}`, { headers: laptop.write });
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expect(clearsCookie(response)).toBe(false);
    expect(await dashboard(lost.cookie)).toBe(401);
    expect(await dashboard(laptop.cookie)).toBe(200);
  });

  it('204 ends the current session and clears its cookie', async () => {
    const me = await signIn('alice', 'password123', 'laptop');
    const response = await app.call('DELETE', `/me/sessions/${await idOf('laptop')}`, { headers: me.write });
    expect(response.status).toBe(204);
    expect(clearsCookie(response)).toBe(true);
    expect(await dashboard(me.cookie)).toBe(401);
  });

  it('204 with Basic, which needs no CSRF token', async () => {
    const lost = await signIn('alice', 'password123', 'lost-phone');
    expect((await app.call('DELETE', `/me/sessions/${await idOf('lost-phone')}`, { headers: ALICE })).status).toBe(204);
    expect(await dashboard(lost.cookie)).toBe(401);
  });

  it('404 the second time', async () => {
    await signIn('alice', 'password123', 'old');
    const id = await idOf('old');
    expect((await app.call('DELETE', `/me/sessions/${id}`, { headers: ALICE })).status).toBe(204);
    expectEnvelope(
      await app.call('DELETE', `/me/sessions/${id}`, { headers: ALICE }),
      404,
      'not_found_error',
      'Session not found',
    );
  });

  it("404 for another user's session, which goes on working", async () => {
    const bob = await signIn('bob', 'securepass', 'bobs-browser');
    const bobsId = bodyOf(await list({ cookie: bob.cookie }), 'listMySessions', 200).data[0]!.id;
    const alice = await signIn();
    expectEnvelope(
      await app.call('DELETE', `/me/sessions/${bobsId}`, { headers: alice.write }),
      404,
      'not_found_error',
      'Session not found',
    );
    expectEnvelope(
      await app.call('DELETE', `/me/sessions/${bobsId}`, { headers: basic('admin', 'supersecret') }),
      404,
      'not_found_error',
    );
    expect(await dashboard(bob.cookie)).toBe(200);
  });

  it('404 for an id that never existed, and for a session that timed out', async () => {
    expectEnvelope(
      await app.call('DELETE', '/me/sessions/ses_doesnotexist00', { headers: ALICE }),
      404,
      'not_found_error',
      'Session not found',
    );
    await signIn('alice', 'password123', 'idle');
    const id = await idOf('idle');
    app.clock.advanceMinutes(31);
    expectEnvelope(await app.call('DELETE', `/me/sessions/${id}`, { headers: ALICE }), 404, 'not_found_error');
  });

  it('403 csrf_error with the cookie and no token or a wrong one; the target session survives', async () => {
    const target = await signIn('alice', 'password123', 'target');
    const me = await signIn('alice', 'password123', 'me');
    const id = await idOf('target');
    expectEnvelope(
      await app.call('DELETE', `/me/sessions/${id}`, { headers: { cookie: me.cookie } }),
      403,
      'csrf_error',
      'Missing X-CSRF-Token header',
    );
    expectEnvelope(
      await app.call('DELETE', `/me/sessions/${id}`, { headers: { cookie: me.cookie, 'x-csrf-token': target.csrf } }),
      403,
      'csrf_error',
      'Invalid CSRF token',
    );
    expect(await dashboard(target.cookie)).toBe(200);
  });

  it('401 without credentials, and with a cookie that was already signed out', async () => {
    const me = await signIn();
    const id = bodyOf(await list({ cookie: me.cookie }), 'listMySessions', 200).data[0]!.id;
    expectEnvelope(await app.call('DELETE', `/me/sessions/${id}`), 401, 'authentication_error', 'Invalid credentials');
    await app.call('POST', '/logout', { headers: { cookie: me.cookie } });
    expectEnvelope(
      await app.call('DELETE', `/me/sessions/${id}`, { headers: me.write }),
      401,
      'authentication_error',
      'Not authenticated',
    );
  });

  it('400 for a credential in the query string', async () => {
    expectEnvelope(
      await app.call('DELETE', '/me/sessions/ses_x?secret=x', { headers: ALICE }),
      400,
      'invalid_request_error',
    );
  });

  it('audits session.revoked with the session ended', async () => {
    await signIn('alice', 'password123', 'audited');
    const id = await idOf('audited');
    await app.call('DELETE', `/me/sessions/${id}`, { headers: ALICE });
    const events = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'session.revoked')
      .execute();
    expect(events).toEqual([
      expect.objectContaining({ outcome: 'success', actor_scheme: 'basic', subject_type: 'session', subject_id: id }),
    ]);
  });
});

describe('DELETE /me/sessions', () => {
  it('204 ends every session of the caller and clears the cookie; other users keep theirs', async () => {
    const laptop = await signIn();
    const phone = await signIn();
    const bob = await signIn('bob', 'securepass');
    const response = await app.call('DELETE', '/me/sessions', { headers: laptop.write });
    expect(response.status).toBe(204);
    expect(clearsCookie(response)).toBe(true);
    expect(await dashboard(laptop.cookie)).toBe(401);
    expect(await dashboard(phone.cookie)).toBe(401);
    expect(await dashboard(bob.cookie)).toBe(200);
    expect(bodyOf(await list(ALICE), 'listMySessions', 200).data).toEqual([]);
  });

  it('204 with Basic, which sets no cookie', async () => {
    const phone = await signIn();
    const response = await app.call('DELETE', '/me/sessions', { headers: ALICE });
    expect(response.status).toBe(204);
    expect(setCookieHeaders(response)).toEqual([]);
    expect(await dashboard(phone.cookie)).toBe(401);
  });

  it('204 when there is no session to end', async () => {
    expect((await app.call('DELETE', '/me/sessions', { headers: ALICE })).status).toBe(204);
  });

  it('403 csrf_error with the cookie and no token or a wrong one; every session survives', async () => {
    const me = await signIn();
    const other = await signIn();
    expectEnvelope(
      await app.call('DELETE', '/me/sessions', { headers: { cookie: me.cookie } }),
      403,
      'csrf_error',
      'Missing X-CSRF-Token header',
    );
    expectEnvelope(
      await app.call('DELETE', '/me/sessions', { headers: { cookie: me.cookie, 'x-csrf-token': other.csrf } }),
      403,
      'csrf_error',
      'Invalid CSRF token',
    );
    expect(await dashboard(me.cookie)).toBe(200);
    expect(await dashboard(other.cookie)).toBe(200);
  });

  it('401 without credentials, and with an API key', async () => {
    expectEnvelope(await app.call('DELETE', '/me/sessions'), 401, 'authentication_error', 'Invalid credentials');
    expectEnvelope(
      await app.call('DELETE', '/me/sessions', { headers: bearer('sk_test_123') }),
      401,
      'authentication_error',
    );
  });

  it('400 for a credential in the query string', async () => {
    expectEnvelope(await app.call('DELETE', '/me/sessions?token=x', { headers: ALICE }), 400, 'invalid_request_error');
  });

  it('audits session.revoked for the user, with how many ended', async () => {
    await signIn();
    await signIn();
    await app.call('DELETE', '/me/sessions', { headers: ALICE });
    const [event] = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'session.revoked')
      .execute();
    expect(event).toMatchObject({
      subject_type: 'user',
      subject_id: (await app.store.users.findByUsername('alice'))!.id,
    });
    expect(JSON.parse(event!.detail!)).toEqual({ scope: 'all', count: 2 });
  });
});
