import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/crypto/tokens.js';
import { basic, bearer, cookiesFrom, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf } from '../support/typed-responses.js';

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(() => app.close());

async function signIn(username = 'alice', password = 'password123') {
  const login = await app.call('POST', '/login', { body: { username, password } });
  return { cookie: cookiesFrom(login), csrfToken: bodyOf(login, 'login', 200).csrf_token as string, id: login.json };
}

describe('GET /me/session', () => {
  it('200 the current session with the CSRF token the sign-in answered', async () => {
    const session = await signIn();
    app.clock.advanceMinutes(5);
    const response = await app.call('GET', '/me/session', { headers: { cookie: session.cookie } });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      id: expect.stringMatching(/^ses_/),
      user: { username: 'alice', role: 'user' },
      csrf_token: session.csrfToken,
      // The idle end, 30 minutes after the last use, comes before the absolute end.
      expires_at: '2026-01-01T09:35:00.000Z',
    });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('200 a token that lets a reloaded page act again', async () => {
    const session = await signIn();
    const again = await app.call('GET', '/me/session', { headers: { cookie: session.cookie } });
    const created = await app.call('POST', '/api-keys', {
      headers: { cookie: session.cookie, 'x-csrf-token': bodyOf(again, 'getMySession', 200).csrf_token },
      body: { name: 'after a reload', permissions: ['read'] },
    });
    expect(created.status).toBe(201);
  });

  it("200 each session its own token, never another session's", async () => {
    const first = await signIn();
    const second = await signIn();
    const answered = await app.call('GET', '/me/session', { headers: { cookie: second.cookie } });
    expect(bodyOf(answered, 'getMySession', 200).csrf_token).toBe(second.csrfToken);
    expect(bodyOf(answered, 'getMySession', 200).csrf_token).not.toBe(first.csrfToken);
  });

  it('200 a token for a session started with a random one, which then replaces it', async () => {
    const session = await signIn();
    const [record] = await app.store.db.selectFrom('sessions').selectAll().execute();
    await app.store.db
      .updateTable('sessions')
      .set({ csrf_token_hash: sha256Hex('an-older-random-token') })
      .where('id', '=', record?.id ?? '')
      .execute();
    const answered = await app.call('GET', '/me/session', { headers: { cookie: session.cookie } });
    expect(bodyOf(answered, 'getMySession', 200).csrf_token).toBe(session.csrfToken);
    const [updated] = await app.store.db.selectFrom('sessions').selectAll().execute();
    expect(updated?.csrf_token_hash).toBe(sha256Hex(session.csrfToken));
  });

  it('401 for Basic credentials and API keys: the token belongs to a cookie session', async () => {
    expectEnvelope(
      await app.call('GET', '/me/session', { headers: basic('alice', 'password123') }),
      401,
      'authentication_error',
    );
    expectEnvelope(
      await app.call('GET', '/me/session', { headers: bearer('sk_test_123') }),
      401,
      'authentication_error',
    );
  });

  it('401 once the session has ended', async () => {
    const session = await signIn();
    await app.call('POST', '/logout', { headers: { cookie: session.cookie } });
    expectEnvelope(
      await app.call('GET', '/me/session', { headers: { cookie: session.cookie } }),
      401,
      'authentication_error',
    );
  });
});
