import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NOT_REMEMBERED, VerifiedCookies } from '../../src/http/verified-cookies.js';

/** A value and signature shaped like Gatehouse's own cookies (76 + 27 characters). */
function cookie(): { value: string; signature: string } {
  const value = Buffer.from(JSON.stringify({ token: randomBytes(32).toString('base64url') })).toString('base64');
  return { value, signature: createHmac('sha1', 'key').update(value).digest('base64url') };
}

/** Verified twice, as a browser's cookie is on its first two requests. */
function rememberTwice(cookies: VerifiedCookies, { value, signature }: { value: string; signature: string }, key = 0) {
  cookies.remember(value, signature, key);
  cookies.remember(value, signature, key);
}

describe('VerifiedCookies', () => {
  it('remembers a cookie from the second time it is verified, with the index of the key that signed it', () => {
    const cookies = new VerifiedCookies();
    const first = cookie();
    cookies.remember(first.value, first.signature, 1);
    expect(cookies.find(first.value, first.signature)).toBe(NOT_REMEMBERED);
    cookies.remember(first.value, first.signature, 1);
    expect(cookies.find(first.value, first.signature)).toBe(1);
    const second = cookie();
    rememberTwice(cookies, second, 0);
    expect(cookies.find(second.value, second.signature)).toBe(0);
  });

  it('finds only the very value and signature: one other character in either, or the line between them moved, is not found', () => {
    const cookies = new VerifiedCookies();
    const sent = cookie();
    rememberTwice(cookies, sent);
    const other = (text: string, at: number) =>
      `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    expect(cookies.find(other(sent.value, 0), sent.signature)).toBe(NOT_REMEMBERED);
    expect(cookies.find(other(sent.value, sent.value.length - 1), sent.signature)).toBe(NOT_REMEMBERED);
    expect(cookies.find(sent.value, other(sent.signature, 5))).toBe(NOT_REMEMBERED);
    expect(cookies.find(sent.value.slice(0, -1), sent.signature)).toBe(NOT_REMEMBERED);
    expect(cookies.find(`${sent.value}x`, sent.signature)).toBe(NOT_REMEMBERED);
    expect(cookies.find(sent.value, sent.signature)).toBe(0);
  });

  it('a sweep of cookies each verified once leaves the cookie in use remembered', () => {
    const cookies = new VerifiedCookies();
    const inUse = cookie();
    rememberTwice(cookies, inUse);
    for (let i = 0; i < 50_000; i++) {
      const once = cookie();
      cookies.remember(once.value, once.signature, 0);
    }
    expect(cookies.find(inUse.value, inUse.signature)).toBe(0);
  });

  it('holds at most its 16,384 slots, however many cookies are in use', () => {
    const cookies = new VerifiedCookies();
    const inUse = Array.from({ length: 40_000 }, cookie);
    for (const sent of inUse) rememberTwice(cookies, sent);
    const found = inUse.filter((sent) => cookies.find(sent.value, sent.signature) !== NOT_REMEMBERED).length;
    // The newest in each slot: most slots are taken, none holds two.
    expect(found).toBeLessThanOrEqual(16_384);
    expect(found).toBeGreaterThan(14_000);
  });

  it('does not remember a cookie too long for a slot, or one with characters beyond a byte', () => {
    const cookies = new VerifiedCookies();
    const long = { value: 'v'.repeat(120), signature: cookie().signature };
    const wide = { value: `${cookie().value}€`, signature: cookie().signature };
    for (const sent of [long, wide]) {
      rememberTwice(cookies, sent);
      expect(cookies.find(sent.value, sent.signature)).toBe(NOT_REMEMBERED);
    }
  });
});
