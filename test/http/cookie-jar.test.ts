import { describe, expect, it, vi } from 'vitest';
import { CookieJar } from '../../src/http/cookie-jar.js';
import { cookieSignature, signingKeyIndex } from '../../src/http/cookie-signature.js';

// The jar's signature checks, counted: a remembered cookie must cost none.
vi.mock('../../src/http/cookie-signature.js', async (original) => {
  const actual = await original<typeof import('../../src/http/cookie-signature.js')>();
  return { ...actual, signingKeyIndex: vi.fn(actual.signingKeyIndex) };
});

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

  it('reads a remembered cookie as it read it when verifying it, older key included', () => {
    const cookies = jar();
    for (const key of KEYS) {
      const sent = cookiesFor(`token-${key}`, key);
      const readings = [1, 2, 3, 4].map(() => cookies.readSession({ ...sent }));
      expect(new Set(readings.map((reading) => JSON.stringify(reading))).size).toBe(1);
      expect(readings[3]).toEqual({ token: `token-${key}`, value: sent[NAME], signedByOlderKey: key !== KEYS[0] });
    }
  });

  it("checks a browser's cookie's signature on its first two requests only", () => {
    const cookies = jar();
    const sent = cookiesFor('t1');
    const checks = vi.mocked(signingKeyIndex);
    checks.mockClear();
    for (let i = 0; i < 5; i++) expect(cookies.readSession({ ...sent })).toMatchObject({ token: 't1' });
    expect(checks).toHaveBeenCalledTimes(2);
  });

  it('refuses a remembered value under a forged signature, however often it is sent', () => {
    const cookies = jar();
    const sent = cookiesFor('t1');
    for (let i = 0; i < 3; i++) expect(cookies.readSession(sent)).toMatchObject({ token: 't1' });
    const forged = { ...sent, [`${NAME}.sig`]: `${(sent[`${NAME}.sig`] as string).slice(0, -1)}A` };
    for (let i = 0; i < 3; i++) expect(cookies.readSession(forged)).toBeUndefined();
    expect(cookies.readSession(sent)).toMatchObject({ token: 't1' });
  });
});
