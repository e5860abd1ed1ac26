import { createHmac, randomBytes } from 'node:crypto';
import { safeEqual } from '../crypto/tokens.js';

/** OWASP's "device cookie": proof that this client has signed in to the account before (`__Host-` prefixed in production). */
export const DEVICE_COOKIE = 'gatehouse_device';

/** Long-lived on purpose: it only ever exempts its holder from the account-wide lock. */
export const DEVICE_COOKIE_MAX_AGE_MS = 365 * 24 * 3_600_000;

/**
 * Device tokens: `<user id>.<random id>.<HMAC>` under a key derived from each session key, so
 * rotating SESSION_KEYS keeps recent tokens valid while the newest key signs new ones. A token
 * names one user; it is not a credential (it never signs anyone in), it only lets its holder
 * keep the normal per-client allowance while guessers have locked the account for everyone else.
 */
export class DeviceTokens {
  private readonly keys: Buffer[];

  constructor(sessionKeys: string[]) {
    // A derived key, so a device token can never pass for a session cookie signature or back.
    this.keys = sessionKeys.map((key) => createHmac('sha256', key).update('gatehouse device token v1').digest());
  }

  issue(userId: string): string {
    const body = `${userId}.${randomBytes(16).toString('base64url')}`;
    return `${body}.${this.mac(this.keys[0] as Buffer, body)}`;
  }

  /** The user a well-signed token names, or undefined for anything else. */
  userOf(token: string | undefined): string | undefined {
    if (token === undefined || token.length > 256) return undefined;
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [userId, random, mac] = parts as [string, string, string];
    const body = `${userId}.${random}`;
    return this.keys.some((key) => safeEqual(this.mac(key, body), mac)) ? userId : undefined;
  }

  private mac(key: Buffer, body: string): string {
    return createHmac('sha256', key).update(body).digest('base64url');
  }
}
