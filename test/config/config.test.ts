import express from 'express';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';

const STRONG_KEY = 'q3J9vX2mL8pR4tY7wZ1cF6hK0nB5sD2gA8eU4iO9';

function problemsOf(env: Record<string, string>): string[] {
  const result = parseConfig(env);
  return result.ok ? [] : result.problems;
}

describe('configuration', () => {
  it('has the documented defaults', () => {
    const result = parseConfig({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      env: 'development',
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: 'sqlite:./data/gatehouse.db',
      redisUrl: undefined,
      sessionIdleMinutes: 30,
      sessionAbsoluteHours: 12,
      bcryptCost: 12,
      rateLimitMax: 100,
      rateLimitWindowSeconds: 900,
      loginMaxFailures: 5,
      corsOrigins: [],
      trustProxy: false,
      demoData: true,
    });
    expect(result.warnings.join('\n')).toMatch(/SESSION_KEYS is not set/);
  });

  it('production refuses to start without SESSION_KEYS, naming the variable', () => {
    const problems = problemsOf({ NODE_ENV: 'production', DATABASE_URL: 'sqlite::memory:' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SESSION_KEYS /);
  });

  it('production refuses short or well-known session keys', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'sqlite::memory:' };
    expect(problemsOf({ ...production, SESSION_KEYS: 'short' })[0]).toMatch(/SESSION_KEYS/);
    expect(problemsOf({ ...production, SESSION_KEYS: `${STRONG_KEY},secret` })[0]).toMatch(/SESSION_KEYS/);
  });

  it('production starts with strong keys and never loads demo data', () => {
    const result = parseConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'sqlite::memory:',
      SESSION_KEYS: `${STRONG_KEY},${STRONG_KEY.split('').reverse().join('')}`,
    });
    expect(result.ok && result.config.demoData).toBe(false);
    expect(result.ok && result.config.sessionKeys).toHaveLength(2);
  });

  it('production refuses DEMO_DATA=on', () => {
    expect(
      problemsOf({
        NODE_ENV: 'production',
        SESSION_KEYS: STRONG_KEY,
        DATABASE_URL: 'sqlite::memory:',
        DEMO_DATA: 'on',
      }),
    ).toEqual(['DEMO_DATA cannot be on in production']);
  });

  it('BCRYPT_COST below 12 is refused in production and allowed down to 4 outside it', () => {
    const production = { NODE_ENV: 'production', SESSION_KEYS: STRONG_KEY, DATABASE_URL: 'sqlite::memory:' };
    expect(problemsOf({ ...production, BCRYPT_COST: '11' })).toEqual([expect.stringMatching(/^BCRYPT_COST/)]);
    expect(problemsOf({ ...production, BCRYPT_COST: '12' })).toEqual([]);
    const development = parseConfig({ BCRYPT_COST: '4' });
    expect(development.ok && development.config.bcryptCost).toBe(4);
  });

  it('refuses CORS_ORIGINS=* and origins that are not origins', () => {
    expect(problemsOf({ CORS_ORIGINS: '*' })[0]).toMatch(/^CORS_ORIGINS/);
    expect(problemsOf({ CORS_ORIGINS: 'https://ok.example.com,not an origin' })).toHaveLength(1);
    const result = parseConfig({ CORS_ORIGINS: 'https://a.example.com, http://localhost:5173' });
    expect(result.ok && result.config.corsOrigins).toEqual(['https://a.example.com', 'http://localhost:5173']);
  });

  it('gives one line per problem, each naming its variable', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      BCRYPT_COST: '40',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
      SESSION_IDLE_MINUTES: '-1',
    });
    expect(problems).toHaveLength(5);
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual([
      'BCRYPT_COST',
      'DATABASE_URL',
      'LOG_LEVEL',
      'PORT',
      'SESSION_IDLE_MINUTES',
    ]);
  });

  it('TRUST_PROXY takes a hop count or proxy addresses, and refuses a blanket "true"', () => {
    const hops = parseConfig({ TRUST_PROXY: '1' });
    expect(hops.ok && hops.config.trustProxy).toBe(1);
    const list = parseConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' });
    expect(list.ok && list.config.trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(problemsOf({ TRUST_PROXY: 'true' })[0]).toMatch(/^TRUST_PROXY/);
  });

  it.each(['0.0.0.0/0', '::/0', '10.0.0.0/8, 0.0.0.0/00', '1000', '11'])(
    'TRUST_PROXY=%s trusts everyone: refused in one line, in production and outside it',
    (value) => {
      const environments: Record<string, string>[] = [
        {},
        { NODE_ENV: 'production', SESSION_KEYS: STRONG_KEY, DATABASE_URL: 'sqlite::memory:' },
      ];
      for (const env of environments) {
        const problems = problemsOf({ ...env, TRUST_PROXY: value });
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^TRUST_PROXY must name the proxies to trust/);
      }
    },
  );

  it.each(['999.1.1.1', '10.0.0.0/40', 'fe80::/200', '10.0.0.0/8/8', 'proxy.example.com'])(
    'TRUST_PROXY=%s is not an address: one line instead of a crash at start',
    (value) => {
      expect(problemsOf({ TRUST_PROXY: value })).toEqual([
        `TRUST_PROXY has entries that are not addresses or subnets: ${value}`,
      ]);
    },
  );

  it.each(['1', '10', 'loopback', '10.0.0.0/8, 172.16.0.0/12', '2001:db8::/32', '192.168.1.10'])(
    'TRUST_PROXY=%s is accepted and is what Express can compile',
    (value) => {
      const result = parseConfig({ TRUST_PROXY: value });
      expect(result.ok).toBe(true);
      if (result.ok) expect(() => express().set('trust proxy', result.config.trustProxy)).not.toThrow();
    },
  );

  it('production without TRUST_PROXY warns what that means', () => {
    const result = parseConfig({ NODE_ENV: 'production', SESSION_KEYS: STRONG_KEY, DATABASE_URL: 'sqlite::memory:' });
    const warning = result.ok ? result.warnings.find((line) => line.startsWith('TRUST_PROXY')) : undefined;
    expect(warning).toMatch(/TRUST_PROXY is not set: .*the proxy's address.*share one rate limit/);
    expect(warning).toMatch(/look like plain http .*cookies are Secure and HSTS is sent anyway/);
    const behind = parseConfig({
      NODE_ENV: 'production',
      SESSION_KEYS: STRONG_KEY,
      DATABASE_URL: 'sqlite::memory:',
      TRUST_PROXY: '1',
    });
    expect(behind.ok && behind.warnings.join('\n')).not.toMatch(/TRUST_PROXY/);
  });

  it('production names its own store: the default file is the development one', () => {
    const problems = problemsOf({ NODE_ENV: 'production', SESSION_KEYS: STRONG_KEY });
    expect(problems).toEqual([expect.stringMatching(/^DATABASE_URL is required in production/)]);
    expect(problemsOf({ NODE_ENV: 'production', SESSION_KEYS: STRONG_KEY, DATABASE_URL: 'postgres://db/gh' })).toEqual(
      [],
    );
  });
});
