import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/api-keys/issue-api-key.js';
import { authFailure, DIFFERENT_USERS_MESSAGE, type SecurityRequirement } from '../../src/auth/auth-failure.js';
import type { AuthFailure } from '../../src/auth/auth-record.js';
import { basic, bearer, cookiesFrom, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf, errorOf } from '../support/typed-responses.js';

/**
 * A request may carry several credentials: Authorization, X-API-Key, and a session cookie a
 * browser adds on its own. Every explicit one must be good and all must name one user.
 */
let app: TestApp;
let adminKey: string;
let aliceSession: string;
let endedSession: string;

beforeAll(async () => {
  // Wrong passwords are sent on purpose below: the throttle is not what this suite is about.
  app = await startTestApp({ config: { loginMaxFailures: 1_000_000, loginIpMaxFailures: 1_000_000 } });
  const admin = await app.store.users.findByUsername('admin');
  ({ key: adminKey } = await issueApiKey(app.store, {
    userId: admin?.id ?? '',
    name: 'admin key',
    permissions: ['read', 'write'],
    expiresAt: null,
    mode: 'test',
    now: app.clock.now(),
  }));
  const signIn = async (username: string, password: string): Promise<string> =>
    cookiesFrom(await app.call('POST', '/login', { body: { username, password } }));
  aliceSession = await signIn('alice', 'password123');
  endedSession = await signIn('john', 'secret123');
  await app.call('POST', '/logout', { headers: { cookie: endedSession } });
});
afterAll(() => app.close());

const johnKey = { 'x-api-key': 'sk_test_123' };

describe('an invalid explicit credential beside a valid one', () => {
  it('401 Invalid credentials for a wrong Basic password beside a valid X-API-Key', async () => {
    for (const path of ['/me', '/apikey/data']) {
      const response = await app.call('GET', path, { headers: { ...basic('john', 'not-his-password'), ...johnKey } });
      expectEnvelope(response, 401, 'authentication_error', 'Invalid credentials');
    }
  });

  it('401 Invalid API Key for a valid Basic password beside an unknown X-API-Key', async () => {
    for (const path of ['/me', '/basic/profile']) {
      const response = await app.call('GET', path, {
        headers: { ...basic('john', 'secret123'), 'x-api-key': 'sk_test_unknown' },
      });
      expectEnvelope(response, 401, 'authentication_error', 'Invalid API Key');
    }
  });

  it('401 for an unknown bearer key beside a valid X-API-Key, and for a wrong Basic beside a valid session', async () => {
    expectEnvelope(
      await app.call('GET', '/apikey/data', { headers: { ...bearer('sk_test_unknown'), ...johnKey } }),
      401,
      'authentication_error',
      'Invalid API Key',
    );
    expectEnvelope(
      await app.call('GET', '/me', { headers: { ...basic('alice', 'not-her-password'), cookie: aliceSession } }),
      401,
      'authentication_error',
      'Invalid credentials',
    );
  });
});

describe('explicit credentials of different users', () => {
  it("400 invalid_request_error for john's Basic beside admin's key in X-API-Key (Bearer would share Authorization)", async () => {
    const response = await app.call('GET', '/me', {
      headers: { ...basic('john', 'secret123'), 'x-api-key': adminKey },
    });
    expectEnvelope(response, 400, 'invalid_request_error', DIFFERENT_USERS_MESSAGE);
  });

  it('400 for two keys of different users, on a route that takes keys only', async () => {
    const response = await app.call('GET', '/apikey/data', { headers: { ...bearer(adminKey), ...johnKey } });
    expectEnvelope(response, 400, 'invalid_request_error', DIFFERENT_USERS_MESSAGE);
  });

  it("400 for admin's Basic on an admin route beside the key of another user", async () => {
    const response = await app.call('GET', '/users', { headers: { ...basic('admin', 'supersecret'), ...johnKey } });
    expectEnvelope(response, 400, 'invalid_request_error', DIFFERENT_USERS_MESSAGE);
  });

  it('400 for a valid session beside explicit credentials of another user (else the cookie would decide)', async () => {
    const response = await app.call('GET', '/me', { headers: { cookie: aliceSession, ...johnKey } });
    expectEnvelope(response, 400, 'invalid_request_error', DIFFERENT_USERS_MESSAGE);
  });

  it('200 for two credentials of the same user: the first in security order decides', async () => {
    const response = await app.call('GET', '/me', { headers: { ...basic('john', 'secret123'), ...johnKey } });
    expect(response.status).toBe(200);
    expect(bodyOf(response, 'getMe', 200).auth).toEqual({ scheme: 'basic' });
  });
});

describe('the session cookie a browser adds on its own', () => {
  it.each([
    ['garbage', 'gatehouse_session=garbage; gatehouse_session.sig=garbage'],
    ['signed out', () => endedSession],
  ])('200 for a valid key beside a %s session cookie: the cookie is ignored', async (_name, cookie) => {
    const response = await app.call('GET', '/me', {
      headers: { cookie: typeof cookie === 'string' ? cookie : cookie(), ...johnKey },
    });
    expect(response.status).toBe(200);
    expect(bodyOf(response, 'getMe', 200).auth.scheme).toBe('api_key');
  });

  it('a valid session beside Basic of the same user decides, so CSRF applies', async () => {
    const response = await app.call('GET', '/me', {
      headers: { cookie: aliceSession, ...basic('alice', 'password123') },
    });
    expect(bodyOf(response, 'getMe', 200).auth).toEqual({ scheme: 'session' });
  });
});

describe('which failing credential the 401 names', () => {
  it('the first in the operation security order, on every run', async () => {
    const headers = { ...basic('john', 'not-his-password'), 'x-api-key': 'sk_test_unknown', cookie: endedSession };
    const messages = new Set<string>();
    for (let run = 0; run < 8; run++) messages.add(errorOf(await app.call('GET', '/me', { headers })).message);
    expect([...messages]).toEqual(['Invalid credentials']);
  });

  it('does not depend on the order the checks finished in', () => {
    const security: SecurityRequirement[] = [
      { basicAuth: [] },
      { apiKey: [] },
      { bearerAuth: [] },
      { sessionCookie: [] },
    ];
    const failures: AuthFailure[] = [
      { scheme: 'sessionCookie', reason: 'invalid', missing: [] },
      { scheme: 'apiKey', reason: 'invalid', missing: [] },
      { scheme: 'basicAuth', reason: 'invalid', missing: [] },
    ];
    for (const order of [failures, [...failures].reverse(), [failures[1]!, failures[0]!]]) {
      const expected = order.some((f) => f.scheme === 'basicAuth') ? 'Invalid credentials' : 'Invalid API Key';
      expect(authFailure({ principal: undefined, passed: [], failures: order }, security).message).toBe(expected);
    }
  });
});
