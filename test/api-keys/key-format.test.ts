import { describe, expect, it } from 'vitest';
import { claimsCurrentFormat, generateApiKey, hasValidChecksum, keyPrefix } from '../../src/api-keys/key-format.js';

describe('API key format', () => {
  it('mints sk_live_ and sk_test_ keys with a valid checksum and a short prefix', () => {
    for (const mode of ['live', 'test'] as const) {
      const { key, prefix } = generateApiKey(mode);
      expect(key).toMatch(new RegExp(`^sk_${mode}_[0-9A-Za-z]{38}$`));
      expect(hasValidChecksum(key)).toBe(true);
      expect(prefix).toBe(keyPrefix(key));
      expect(prefix).toHaveLength(12);
    }
  });

  it('never mints the same key twice', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey('test').key));
    expect(keys.size).toBe(1000);
  });

  it('catches a single mistyped character through the checksum', () => {
    const { key } = generateApiKey('live');
    const index = 20;
    const replacement = key[index] === 'a' ? 'b' : 'a';
    const typo = key.slice(0, index) + replacement + key.slice(index + 1);
    expect(claimsCurrentFormat(typo)).toBe(true);
    expect(hasValidChecksum(typo)).toBe(false);
  });

  it('does not claim the demo keys, which predate the format', () => {
    expect(claimsCurrentFormat('sk_test_123')).toBe(false);
    expect(claimsCurrentFormat('sk_live_456')).toBe(false);
  });
});
