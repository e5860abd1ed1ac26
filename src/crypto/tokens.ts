import { hash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A random string of base62 characters (each carries log2(62) ≈ 5.95 bits). */
export function randomBase62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[randomInt(62)];
  return out;
}

/** A public identifier such as `usr_…`: 16 base62 characters, about 95 random bits. */
export function newId(prefix: 'usr' | 'key' | 'ses' | 'evt' | 'rcv' | 'pky' | 'wch'): string {
  return `${prefix}_${randomBase62(16)}`;
}

/** A secret for a cookie or CSRF token: 32 random bytes (256 bits), base64url. */
export function newSecretToken(): string {
  return randomBytes(32).toString('base64url');
}

/** One call, no Hash object: crypto.hash, a third of createHash's cost on a short string. */
export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex');
}

/** Constant-time comparison, so an attacker cannot learn how many leading characters matched. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
