import { randomBytes } from 'node:crypto';
import Keygrip from 'keygrip';
import { describe, expect, it } from 'vitest';
import { cookieSignature, signingKeyIndex } from '../../src/http/cookie-signature.js';

const KEYS = ['newest-key-0123456789abcdefghijklmnopq', 'older-key-0123456789abcdefghijklmnopqr'];

describe('the session cookie signature', () => {
  it("is keygrip's, byte for byte, for any name and value", () => {
    for (let i = 0; i < 200; i++) {
      const name = i % 2 === 0 ? 'gatehouse_session' : '__Host-gatehouse_session';
      const value = randomBytes(i % 64).toString('base64');
      expect(cookieSignature(KEYS[0] as string, name, value)).toBe(new Keygrip(KEYS).sign(`${name}=${value}`));
    }
  });

  it('names the key that signed, newest first, or -1', () => {
    const name = 'gatehouse_session';
    const value = 'eyJ0b2tlbiI6ImFiYyJ9';
    expect(signingKeyIndex(KEYS, name, value, cookieSignature(KEYS[0] as string, name, value))).toBe(0);
    expect(signingKeyIndex(KEYS, name, value, cookieSignature(KEYS[1] as string, name, value))).toBe(1);
    expect(signingKeyIndex(KEYS, name, value, new Keygrip(KEYS).sign(`${name}=${value}`))).toBe(0);
    expect(
      signingKeyIndex(KEYS, name, value, cookieSignature('another-key-0123456789abcdefghijklm', name, value)),
    ).toBe(-1);
    expect(signingKeyIndex(KEYS, `${name}x`, value, cookieSignature(KEYS[0] as string, name, value))).toBe(-1);
    expect(signingKeyIndex(KEYS, name, value, '')).toBe(-1);
    expect(signingKeyIndex(KEYS, name, value, 'é'.repeat(27))).toBe(-1);
  });
});
