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

  it('remembers a cookie from the second time it is verified, and only with that signature', () => {
    const cookies = jar();
    const sent = cookiesFor('t1');
    const first = cookies.readSession(sent);
    const second = cookies.readSession({ ...sent });
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(cookies.readSession({ ...sent })).toBe(second);
    // The same value under a forged signature is verified afresh, and refused.
    const forged = { ...sent, [`${NAME}.sig`]: `${(sent[`${NAME}.sig`] as string).slice(0, -1)}A` };
    expect(cookies.readSession(forged)).toBeUndefined();
    expect(cookies.readSession(forged)).toBeUndefined();
    expect(cookies.readSession(sent)).toBe(second);
  });

  it('does not remember cookies sent once, however many, and still remembers the one in use', () => {
    const cookies = jar();
    const inUse = cookiesFor('in-use');
    cookies.readSession(inUse);
    const remembered = cookies.readSession(inUse);
    for (let i = 0; i < 20_000; i++) cookies.readSession(cookiesFor(`once-${i}`));
    // Twice the map's bound went by, each once: had they been kept, the one in use would be gone.
    expect(cookies.readSession(inUse)).toBe(remembered);
  });

  it('remembers a bounded number of cookies, forgetting the oldest first', () => {
    const cookies = jar();
    /** Read twice, as a browser sends it: the second reading is the one remembered. */
    const twice = (sent: Record<string, string>) => {
      cookies.readSession(sent);
      return cookies.readSession(sent);
    };
    const oldest = cookiesFor('token-0');
    const remembered = twice(oldest);
    expect(cookies.readSession(oldest)).toBe(remembered);
    for (let i = 1; i <= 10_000; i++) twice(cookiesFor(`token-${i}`));
    const again = cookies.readSession(oldest);
    expect(again).toEqual(remembered);
    expect(again).not.toBe(remembered);
    const newest = cookiesFor('token-10000');
    expect(cookies.readSession(newest)).toBe(cookies.readSession(newest));
  });
});
