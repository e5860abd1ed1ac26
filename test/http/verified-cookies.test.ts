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

  it('finds only the very value: one other character, one more or one less, is not found', () => {
    const cookies = new VerifiedCookies();
    const sent = cookie();
    rememberTwice(cookies, sent);
    const other = (text: string, at: number) =>
      `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    // The signature picks the set: these reach the comparison of the value.
    expect(cookies.find(other(sent.value, 0), sent.signature)).toBe(NOT_REMEMBERED);
    expect(cookies.find(other(sent.value, sent.value.length - 1), sent.signature)).toBe(NOT_REMEMBERED);
    expect(cookies.find(sent.value.slice(0, -1), sent.signature)).toBe(NOT_REMEMBERED);
    expect(cookies.find(`${sent.value}x`, sent.signature)).toBe(NOT_REMEMBERED);
    expect(cookies.find('', '')).toBe(NOT_REMEMBERED);
    expect(cookies.find(sent.value, sent.signature)).toBe(0);
  });

  it('finds no forged signature of the same length, in its set or not', () => {
    const cookies = new VerifiedCookies();
    const sent = cookie();
    rememberTwice(cookies, sent);
    // Among 40,000 random signatures about ten fall in the remembered cookie's set of 4,096.
    for (let i = 0; i < 40_000; i++) {
      const forged = randomBytes(20).toString('base64url');
      expect(cookies.find(sent.value, forged)).toBe(NOT_REMEMBERED);
    }
    expect(cookies.find(sent.value, sent.signature)).toBe(0);
  });

  it('tells value from signature: the same characters split one later are not found', () => {
    const cookies = new VerifiedCookies();
    // Each split lands in the set of the remembered one about once in 4,096 tries.
    for (let i = 0; i < 40_000; i++) {
      const text = randomBytes(78).toString('base64url').slice(0, 103);
      rememberTwice(cookies, { value: text.slice(0, 76), signature: text.slice(76) });
      expect(cookies.find(text.slice(0, 77), text.slice(77))).toBe(NOT_REMEMBERED);
    }
  });

  it('does not take a character beyond a byte for its low byte', () => {
    const cookies = new VerifiedCookies();
    const { signature } = cookie();
    rememberTwice(cookies, { value: 'abc\u20ac', signature });
    expect(cookies.find('abc\u00ac', signature)).toBe(NOT_REMEMBERED);
  });

  it('keeps nearly every cookie of 5,000 sessions in use (four to a set)', () => {
    const cookies = new VerifiedCookies();
    const inUse = Array.from({ length: 5_000 }, cookie);
    for (const sent of inUse) rememberTwice(cookies, sent);
    const found = inUse.filter((sent) => cookies.find(sent.value, sent.signature) !== NOT_REMEMBERED).length;
    expect(found / inUse.length).toBeGreaterThan(0.97);
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

  it('holds at most its 16,384 cookies, however many are in use', () => {
    const cookies = new VerifiedCookies();
    const inUse = Array.from({ length: 40_000 }, cookie);
    for (const sent of inUse) rememberTwice(cookies, sent);
    const found = inUse.filter((sent) => cookies.find(sent.value, sent.signature) !== NOT_REMEMBERED).length;
    // The newest four in each set (a few sets drew fewer than four): never more than the slots.
    expect(found).toBeLessThanOrEqual(16_384);
    expect(found).toBeGreaterThan(16_000);
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
