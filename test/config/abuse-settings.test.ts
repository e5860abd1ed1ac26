import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';

const PRODUCTION = {
  NODE_ENV: 'production',
  SESSION_KEYS: 'k'.repeat(40),
  DATABASE_URL: 'sqlite::memory:',
  DEMO_DATA: 'off',
};

describe('abuse-resistance settings', () => {
  it('have the documented defaults', () => {
    const result = parseConfig({ NODE_ENV: 'test' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      rateLimitMax: 100,
      rateLimitWindowSeconds: 900,
      loginMaxFailures: 5,
      loginIpMaxFailures: 100,
      accountMaxFailures: 100,
      apiKeyMaxPerUser: 100,
      basicCacheSeconds: 60,
      basicCacheMaxEntries: 10_000,
      trustProxy: false,
    });
  });

  it('are validated, one line per problem naming the variable', () => {
    const result = parseConfig({
      NODE_ENV: 'test',
      BASIC_CACHE_SECONDS: '-1',
      LOGIN_IP_MAX_FAILURES: 'lots',
      BASIC_CACHE_MAX_ENTRIES: '0',
      RATE_LIMIT_MAX: '1.5',
      ACCOUNT_MAX_FAILURES: '0',
      API_KEY_MAX_PER_USER: 'many',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(6);
    for (const name of [
      'BASIC_CACHE_SECONDS',
      'LOGIN_IP_MAX_FAILURES',
      'BASIC_CACHE_MAX_ENTRIES',
      'RATE_LIMIT_MAX',
      'ACCOUNT_MAX_FAILURES',
      'API_KEY_MAX_PER_USER',
    ]) {
      expect(result.problems.filter((line) => line.startsWith(`${name} `))).toHaveLength(1);
    }
  });

  it('BASIC_CACHE_SECONDS=0 is allowed: it turns the cache off', () => {
    const result = parseConfig({ NODE_ENV: 'test', BASIC_CACHE_SECONDS: '0' });
    expect(result.ok && result.config.basicCacheSeconds).toBe(0);
  });

  it('TRUST_PROXY=true is refused: it would let any client choose its address', () => {
    const result = parseConfig({ NODE_ENV: 'test', TRUST_PROXY: 'true' });
    expect(result.ok).toBe(false);
  });

  it('warns in production that counters are per instance without REDIS_URL', () => {
    const without = parseConfig(PRODUCTION);
    const withRedis = parseConfig({ ...PRODUCTION, REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(without.ok && without.warnings.some((line) => line.startsWith('REDIS_URL is not set'))).toBe(true);
    expect(withRedis.ok && withRedis.warnings.some((line) => line.startsWith('REDIS_URL'))).toBe(false);
  });
});
