import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import cookieSession from 'cookie-session';
import Keygrip from 'keygrip';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { Environment } from '../../src/config/config.js';
import { setCookieHeaders, startTestApp, type TestApp, type TestResponse } from '../support/test-app.js';

/**
 * SESSION_KEYS is newest first: the first key signs, all verify. A cookie signed by an older key
 * is accepted and both its cookies are issued again under the newest key, with the attributes
 * every Gatehouse cookie carries (the `cookies` library re-issued only the `.sig`, without
 * SameSite, Secure or expiry). Cookies issued by cookie-session before it was replaced stay valid.
 */

const OLD_KEY = 'old-session-key-0123456789abcdefghijklmnop';
const NEW_KEY = 'new-session-key-0123456789abcdefghijklmnop';

let app: TestApp;
afterEach(() => app.close());

const NAMES: Record<Environment, string> = {
  production: '__Host-gatehouse_session',
  development: 'gatehouse_session',
  test: 'gatehouse_session',
};

/** The Set-Cookie line of one cookie, without its `name=value`. */
function attributesOf(response: TestResponse, name: string): string {
  const line = setCookieHeaders(response).find((candidate) => candidate.startsWith(`${name}=`));
  if (line === undefined) throw new Error(`no ${name} in ${JSON.stringify(setCookieHeaders(response))}`);
  return line.slice(line.indexOf(';'));
}

function cookieValue(response: TestResponse, name: string): string {
  const line = setCookieHeaders(response).find((candidate) => candidate.startsWith(`${name}=`)) ?? '';
  return (line.split(';')[0] ?? '').slice(name.length + 1);
}

/** A session token of alice's, from a real sign-in (the cookie holds it as base64 JSON). */
async function aliceToken(name: string): Promise<{ token: string; signIn: TestResponse }> {
  const signIn = await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
  const { token } = JSON.parse(Buffer.from(cookieValue(signIn, name), 'base64').toString('utf8'));
  return { token, signIn };
}

/** The Cookie header cookie-session 2.1 itself would have made the browser send for this session. */
async function cookieSessionCookie(name: string, keys: string[], token: string): Promise<string> {
  const issue = cookieSession({ name, keys, httpOnly: true, sameSite: 'lax' });
  const server = createServer((req, res) => {
    issue(req as never, res as never, () => {
      (req as unknown as { session: unknown }).session = { token };
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await request(`http://127.0.0.1:${port}/`);
    await response.body.text();
    const lines = response.headers['set-cookie'] as string[];
    return lines.map((line) => line.split(';')[0]).join('; ');
  } finally {
    server.close();
  }
}

describe.each(['production', 'development'] as const)('rotated SESSION_KEYS in %s', (env) => {
  const name = NAMES[env];

  it('a cookie signed with the old key is accepted and both cookies are re-issued, with identical attributes, under the new key', async () => {
    app = await startTestApp({ config: { env, sessionKeys: [NEW_KEY, OLD_KEY] } });
    const { token, signIn } = await aliceToken(name);
    const old = await cookieSessionCookie(name, [OLD_KEY], token);
    const response = await app.call('GET', '/dashboard', { headers: { cookie: old } });
    expect(response.status).toBe(200);

    const value = cookieValue(response, name);
    expect(value).toBe(cookieValue(signIn, name));
    expect(cookieValue(response, `${name}.sig`)).toBe(new Keygrip([NEW_KEY]).sign(`${name}=${value}`));
    // The same attributes as the sign-in gave them: Max-Age, Path, HttpOnly, SameSite and, in production, Secure.
    expect(attributesOf(response, name)).toBe(attributesOf(signIn, name));
    expect(attributesOf(response, `${name}.sig`)).toBe(attributesOf(signIn, name));
    expect(attributesOf(response, name)).toMatch(/SameSite=Lax/i);
    if (env === 'production') expect(attributesOf(response, name)).toMatch(/; Secure/i);

    const reissued = `${name}=${value}; ${name}.sig=${cookieValue(response, `${name}.sig`)}`;
    const again = await app.call('GET', '/dashboard', { headers: { cookie: reissued } });
    expect(again.status).toBe(200);
    expect(setCookieHeaders(again)).toEqual([]);
  });

  it('a cookie signed with the newest key is not re-issued', async () => {
    app = await startTestApp({ config: { env, sessionKeys: [NEW_KEY, OLD_KEY] } });
    const { token } = await aliceToken(name);
    const current = await cookieSessionCookie(name, [NEW_KEY], token);
    const response = await app.call('GET', '/dashboard', { headers: { cookie: current } });
    expect(response.status).toBe(200);
    expect(setCookieHeaders(response)).toEqual([]);
  });

  it('a cookie signed by a key no longer listed is refused and nothing is re-issued', async () => {
    app = await startTestApp({ config: { env, sessionKeys: [NEW_KEY] } });
    const { token } = await aliceToken(name);
    const retired = await cookieSessionCookie(name, [OLD_KEY], token);
    const response = await app.call('GET', '/dashboard', { headers: { cookie: retired } });
    expect(response.status).toBe(401);
    expect(setCookieHeaders(response).filter((line) => line.startsWith(name))).toEqual([]);
  });
});

describe('cookies issued by cookie-session before it was replaced', () => {
  it('are still accepted, unchanged', async () => {
    app = await startTestApp({ config: { sessionKeys: [NEW_KEY] } });
    const { token } = await aliceToken('gatehouse_session');
    const before = await cookieSessionCookie('gatehouse_session', [NEW_KEY], token);
    const response = await app.call('GET', '/dashboard', { headers: { cookie: before } });
    expect(response.json).toEqual({ message: 'Welcome to your dashboard, alice!' });
  });
});
