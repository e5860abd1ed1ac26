import { describe, expect, it } from 'vitest';
import { CookieJar } from '../../src/http/cookie-jar.js';
import { cookieSignature } from '../../src/http/cookie-signature.js';

const KEYS = ['newest-key-0123456789abcdefghijklmnopq', 'older-key-0123456789abcdefghijklmnopqr'];
const NAME = 'gatehouse_session';

function jar(): CookieJar {
  return new CookieJar({
    env: 'development',
    keys: KEYS,
    sessionCookie: NAME,
    deviceCookie: 'gatehouse_device',
    sessionMaxAgeSeconds: 3600,
    deviceMaxAgeSeconds: 3600,
  });
}

/** The cookies a browser sends back for a session token, signed by the given key. */
function cookiesFor(token: string, key = KEYS[0] as string): Record<string, string> {
  const value = Buffer.from(JSON.stringify({ token })).toString('base64');
  return { [NAME]: value, [`${NAME}.sig`]: cookieSignature(key, NAME, value) };
}

describe('reading the session cookie', () => {
  it('reads a signed cookie, names an older key, and refuses a bad signature', () => {
    const cookies = jar();
    expect(cookies.readSession(cookiesFor('t1'))).toMatchObject({ token: 't1', signedByOlderKey: false });
    expect(cookies.readSession(cookiesFor('t2', KEYS[1]))).toMatchObject({ token: 't2', signedByOlderKey: true });
    expect(cookies.readSession(cookiesFor('t3', 'another-key-0123456789abcdefghijklm'))).toBeUndefined();
    expect(cookies.readSession({ [NAME]: cookiesFor('t4')[NAME] as string })).toBeUndefined();
  });

  it('remembers a verified cookie, but only with the signature it was verified with', () => {
    const cookies = jar();
    const sent = cookiesFor('t1');
    const first = cookies.readSession(sent);
    expect(cookies.readSession({ ...sent })).toBe(first);
    // The same value under a forged signature is verified afresh, and refused.
    const forged = { ...sent, [`${NAME}.sig`]: `${(sent[`${NAME}.sig`] as string).slice(0, -1)}A` };
    expect(cookies.readSession(forged)).toBeUndefined();
    expect(cookies.readSession(sent)).toBe(first);
  });

  it('remembers a bounded number of cookies, forgetting the oldest first', () => {
    const cookies = jar();
    const oldest = cookiesFor('token-0');
    const remembered = cookies.readSession(oldest);
    for (let i = 1; i <= 10_000; i++) cookies.readSession(cookiesFor(`token-${i}`));
    const again = cookies.readSession(oldest);
    expect(again).toEqual(remembered);
    expect(again).not.toBe(remembered);
    const newest = cookiesFor('token-10000');
    expect(cookies.readSession(newest)).toBe(cookies.readSession(newest));
  });
});
