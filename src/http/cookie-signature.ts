import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The `<name>.sig` signature as keygrip (under the `cookies` library and cookie-session) makes
 * it: HMAC-SHA1 of `<name>=<value>` under a session key, base64 with `/+` made `_-` and the `=`
 * padding dropped, which is base64url. Kept byte for byte so that cookies issued before
 * Gatehouse wrote its own stay valid, and so that rolling back keeps today's cookies valid.
 */
export function cookieSignature(key: string, name: string, value: string): string {
  return createHmac('sha1', key).update(`${name}=${value}`).digest('base64url');
}

/**
 * Which of the keys (newest first) signed the cookie: 0 for the newest, -1 for none. Each
 * comparison takes constant time, so a forged signature learns nothing from how close it came.
 */
export function signingKeyIndex(keys: readonly string[], name: string, value: string, signature: string): number {
  const given = Buffer.from(signature);
  return keys.findIndex((key) => {
    const expected = Buffer.from(cookieSignature(key, name, value));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
