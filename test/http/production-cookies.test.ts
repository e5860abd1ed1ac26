import { afterEach, describe, expect, it } from 'vitest';
import {
  expectEnvelope,
  setCookieHeaders,
  startTestApp,
  type TestApp,
  type TestResponse,
} from '../support/test-app.js';

/**
 * Production behind the usual TLS-terminating proxy, with TRUST_PROXY unset: the service sees
 * plain http (req.secure is false), yet its cookies must be Secure and `__Host-` prefixed, and
 * HSTS must be sent. The test apps listen on plain http, which is exactly that situation.
 */

let app: TestApp;
afterEach(() => app.close());

const from = (n: number): Record<string, string> => ({ 'x-forwarded-for': `198.51.100.${n}` });

function login(username = 'alice', password = 'password123', headers: Record<string, string> = {}) {
  return app.call('POST', '/login', { body: { username, password }, headers });
}

/** `name=value; A=1; B` → its name, its value and its attributes, lower-cased, in order. */
function parseSetCookie(line: string): { name: string; value: string; attributes: string[] } {
  const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
  const separator = pair.indexOf('=');
  return {
    name: pair.slice(0, separator),
    value: pair.slice(separator + 1),
    attributes: attributes.map((attribute) => attribute.toLowerCase()),
  };
}

function cookieNamed(response: TestResponse, name: string): ReturnType<typeof parseSetCookie> {
  const found = setCookieHeaders(response)
    .map(parseSetCookie)
    .find((cookie) => cookie.name === name);
  if (found === undefined) throw new Error(`no ${name} in ${JSON.stringify(setCookieHeaders(response))}`);
  return found;
}

/** What `__Host-` demands, plus what every Gatehouse cookie carries. */
function expectHostCookie(cookie: ReturnType<typeof parseSetCookie>): void {
  expect(cookie.name.startsWith('__Host-'), cookie.name).toBe(true);
  expect(cookie.attributes).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/']));
  expect(cookie.attributes.some((attribute) => attribute.startsWith('domain'))).toBe(false);
}

describe('production over plain http, TRUST_PROXY unset', () => {
  it('sign-in sets __Host- session, signature and device cookies: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain', async () => {
    app = await startTestApp({ config: { env: 'production' } });
    const response = await login();
    expect(response.status).toBe(200);
    const names = setCookieHeaders(response).map((line) => parseSetCookie(line).name);
    expect(names.sort()).toEqual(
      ['__Host-gatehouse_device', '__Host-gatehouse_session', '__Host-gatehouse_session.sig'].sort(),
    );
    for (const name of names) expectHostCookie(cookieNamed(response, name));
    const session = cookieNamed(response, '__Host-gatehouse_session');
    const signature = cookieNamed(response, '__Host-gatehouse_session.sig');
    expect(signature.attributes).toEqual(session.attributes);
    expect(session.attributes).toContain(`max-age=${12 * 3600}`);
    expect(cookieNamed(response, '__Host-gatehouse_device').attributes).toContain('max-age=31536000');
  });

  it('the __Host- cookies sign in; a cookie under the development name is not read', async () => {
    app = await startTestApp({ config: { env: 'production' } });
    const signedIn = await login();
    const pairs = setCookieHeaders(signedIn).map((line) => line.split(';')[0] ?? '');
    expect((await app.call('GET', '/dashboard', { headers: { cookie: pairs.join('; ') } })).status).toBe(200);
    const unprefixed = pairs.map((pair) => pair.replace(/^__Host-/, '')).join('; ');
    expectEnvelope(
      await app.call('GET', '/dashboard', { headers: { cookie: unprefixed } }),
      401,
      'authentication_error',
      'Not authenticated',
    );
  });

  it('HSTS is sent on every answer: success, error and sign-in', async () => {
    app = await startTestApp({ config: { env: 'production' } });
    for (const response of [
      await app.call('GET', '/healthz'),
      await app.call('GET', '/dashboard'),
      await login(),
      await login('alice', 'wrong-password'),
    ]) {
      expect(response.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    }
  });

  it('logout clears both session cookies with the same attributes', async () => {
    app = await startTestApp({ config: { env: 'production' } });
    const signedIn = await login();
    const cookie = setCookieHeaders(signedIn)
      .map((line) => line.split(';')[0])
      .join('; ');
    const response = await app.call('POST', '/logout', { headers: { cookie } });
    expect(response.status).toBe(200);
    for (const name of ['__Host-gatehouse_session', '__Host-gatehouse_session.sig']) {
      const cleared = cookieNamed(response, name);
      expectHostCookie(cleared);
      expect(cleared.value).toBe('');
      expect(cleared.attributes).toContain('max-age=0');
      expect(cleared.attributes).toContain('expires=thu, 01 jan 1970 00:00:00 gmt');
    }
  });

  it('the __Host- device cookie still exempts its client from the account lock', async () => {
    app = await startTestApp({
      config: { env: 'production', accountMaxFailures: 3, loginMaxFailures: 50, trustProxy: ['loopback'] },
    });
    const signedIn = await login('alice', 'password123', from(7));
    const device = setCookieHeaders(signedIn).find((line) => line.startsWith('__Host-gatehouse_device='));
    expect(device).toBeDefined();
    for (let i = 0; i < 3; i++) expect((await login('alice', `guess-${i}`, from(100 + i))).status).toBe(401);
    expect((await login('alice', 'password123', from(9))).status).toBe(429);
    const cookie = device?.split(';')[0] ?? '';
    expect((await login('alice', 'password123', { ...from(7), cookie })).status).toBe(200);
  });
});

describe('development over plain http (as before)', () => {
  it('nothing is Secure, nothing is prefixed, and there is no HSTS', async () => {
    app = await startTestApp({ config: { env: 'development' } });
    const response = await login();
    const cookies = setCookieHeaders(response).map(parseSetCookie);
    expect(cookies.map((cookie) => cookie.name).sort()).toEqual(
      ['gatehouse_device', 'gatehouse_session', 'gatehouse_session.sig'].sort(),
    );
    for (const cookie of cookies) {
      expect(cookie.attributes).not.toContain('secure');
      expect(cookie.attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
    }
    expect(response.headers['strict-transport-security']).toBeUndefined();
    expect((await app.call('GET', '/healthz')).headers['strict-transport-security']).toBeUndefined();
  });
});
