import { randomInt } from 'node:crypto';
import { sha256Hex } from '../crypto/tokens.js';

export const RECOVERY_CODE_COUNT = 10;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const LENGTH = 10;

/**
 * A recovery code: 10 random base32 characters (50 bits), shown as `xxxxx-xxxxx`. Enough
 * entropy that a fast hash is fine for storing it: nobody guesses 2^50 codes behind a throttle,
 * and a stolen table of SHA-256 hashes of random 50-bit values gives nothing to a dictionary.
 */
export function newRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) code += BASE32[randomInt(BASE32.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** What is hashed: the code without its dash, in capitals, so typing it either way matches. */
export function recoveryCodeHash(code: string): string {
  return sha256Hex(code.replace(/[-\s]/g, '').toUpperCase());
}
