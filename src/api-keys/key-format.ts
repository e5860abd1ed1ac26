import { crc32 } from 'node:zlib';
import { randomBase62 } from '../crypto/tokens.js';

/**
 * API key format, after GitHub's tokens: `sk_live_` or `sk_test_`, 32 random base62 characters
 * (about 190 bits), then 6 base62 characters of CRC32 over everything before them. A scanner can
 * tell a real key from a typo or a random string without asking the database.
 */
export type KeyMode = 'live' | 'test';

const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const NEW_FORMAT = new RegExp(`^sk_(live|test)_[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);
/** How much of a key is kept in clear to recognise it in a list: the mode and 4 random characters. */
const PREFIX_LENGTH = 'sk_live_'.length + 4;

function base62Checksum(body: string): string {
  let value = crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

export function generateApiKey(mode: KeyMode): { key: string; prefix: string } {
  const body = `sk_${mode}_${randomBase62(RANDOM_LENGTH)}`;
  const key = body + base62Checksum(body);
  return { key, prefix: keyPrefix(key) };
}

export function keyPrefix(key: string): string {
  return key.slice(0, PREFIX_LENGTH);
}

/** True when the string has the shape of a key of this format (older keys, like the demo ones, do not). */
export function claimsCurrentFormat(key: string): boolean {
  return NEW_FORMAT.test(key);
}

/** True when a key of this format carries the right checksum. */
export function hasValidChecksum(key: string): boolean {
  if (!claimsCurrentFormat(key)) return false;
  const body = key.slice(0, -CHECKSUM_LENGTH);
  return base62Checksum(body) === key.slice(-CHECKSUM_LENGTH);
}

/** Keys minted outside production say so in their prefix. */
export function keyModeFor(env: string): KeyMode {
  return env === 'production' ? 'live' : 'test';
}
