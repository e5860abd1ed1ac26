import type { Request } from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { sha256Hex } from '../../src/crypto/tokens.js';
import { ApiError } from '../../src/errors/api-error.js';
import { requireCsrfToken } from '../../src/http/csrf.js';
import type { SessionRecord } from '../../src/store/sessions.js';
import type { UserRecord } from '../../src/store/users.js';
import { cookiesFrom, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf, errorOf } from '../support/typed-responses.js';

const TOKEN = 'the-sessions-csrf-token';
const user = { id: 'usr_1', username: 'alice', role: 'user' } as UserRecord;
const sessionPrincipal: Principal = {
  scheme: 'session',
  user,
  session: { id: 'ses_1', csrf_token_hash: sha256Hex(TOKEN) } as SessionRecord,
};
const basicPrincipal: Principal = { scheme: 'basic', user };

interface FakeRequest {
  method: string;
  principal: Principal | undefined;
  operationId?: string;
  csrfHeader?: string;
}

/** Runs the middleware on a hand-made request; returns what it passed to next(). */
function run({ method, principal, operationId = 'createApiKey', csrfHeader }: FakeRequest): unknown {
  const req = {
    method,
    auth: { principal, failures: [] },
    openapi: { schema: { operationId } },
    get: (name: string) => (name.toLowerCase() === 'x-csrf-token' ? csrfHeader : undefined),
  } as unknown as Request;
  let passed: unknown = 'not called';
  requireCsrfToken()(req, {} as never, (error?: unknown) => {
    passed = error;
  });
  return passed;
}

function expectCsrfError(passed: unknown, message: string): void {
  expect(passed).toBeInstanceOf(ApiError);
  expect(passed).toMatchObject({ status: 403, type: 'csrf_error', message });
}

describe('requireCsrfToken', () => {
  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('403 csrf_error for a session %s without the header', (method) => {
    expectCsrfError(run({ method, principal: sessionPrincipal }), 'Missing X-CSRF-Token header');
  });

  it('403 csrf_error for a session request with a wrong or empty token', () => {
    expectCsrfError(
      run({ method: 'POST', principal: sessionPrincipal, csrfHeader: `${TOKEN}x` }),
      'Invalid CSRF token',
    );
    expectCsrfError(
      run({ method: 'POST', principal: sessionPrincipal, csrfHeader: '' }),
      'Missing X-CSRF-Token header',
    );
  });

  it("passes a session request that carries the session's token", () => {
    expect(run({ method: 'DELETE', principal: sessionPrincipal, csrfHeader: TOKEN })).toBeUndefined();
  });

  it.each(['GET', 'HEAD', 'OPTIONS'])(
    'passes a session %s without the header: safe methods change nothing',
    (method) => {
      expect(run({ method, principal: sessionPrincipal })).toBeUndefined();
    },
  );

  it('passes Basic and anonymous callers: their credentials are never sent implicitly', () => {
    expect(run({ method: 'POST', principal: basicPrincipal })).toBeUndefined();
    expect(run({ method: 'POST', principal: undefined })).toBeUndefined();
  });

  it('exempts login and logout only', () => {
    expect(run({ method: 'POST', principal: sessionPrincipal, operationId: 'login' })).toBeUndefined();
    expect(run({ method: 'POST', principal: sessionPrincipal, operationId: 'logout' })).toBeUndefined();
    expectCsrfError(
      run({ method: 'POST', principal: sessionPrincipal, operationId: 'changePassword' }),
      'Missing X-CSRF-Token header',
    );
  });
});

describe('the CSRF token of a session', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(() => app.close());

  it('POST /login returns it, and the store keeps only its hash', async () => {
    const response = await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    expect(bodyOf(response, 'login', 200).csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await app.store.db.selectFrom('sessions').selectAll().execute();
    expect(rows[0]?.csrf_token_hash).toBe(sha256Hex(bodyOf(response, 'login', 200).csrf_token));
    expect(JSON.stringify(rows)).not.toContain(bodyOf(response, 'login', 200).csrf_token);
  });

  it('each sign-in gets a new one', async () => {
    const first = await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    const second = await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    expect(bodyOf(first, 'login', 200).csrf_token).not.toBe(bodyOf(second, 'login', 200).csrf_token);
  });

  it("POST /logout works with the cookie alone, as the seed's clients send it", async () => {
    const cookie = cookiesFrom(
      await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } }),
    );
    expect((await app.call('POST', '/logout', { headers: { cookie } })).status).toBe(200);
    expect((await app.call('GET', '/dashboard', { headers: { cookie } })).status).toBe(401);
  });

  it('403 csrf_error when Basic credentials ride along with a session cookie: the cookie decides', async () => {
    const cookie = cookiesFrom(
      await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } }),
    );
    const authorization = `Basic ${Buffer.from('alice:password123').toString('base64')}`;
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await app.call('DELETE', '/me/sessions', { headers: { cookie, authorization } });
      expect(response.status).toBe(403);
      expect(errorOf(response).type).toBe('csrf_error');
    }
  });
});
