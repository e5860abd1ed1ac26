import { createHmac } from 'node:crypto';

/**
 * The session's CSRF token, derived from its secret cookie token, so that `GET /me/session` can
 * answer it again after a reload while the store keeps only its hash. Who can compute it holds
 * the cookie already; the token itself reveals nothing of the cookie (HMAC under a 256-bit key).
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('gatehouse csrf token').digest('base64url');
}
