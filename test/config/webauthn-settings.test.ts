import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';

const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'sqlite::memory:',
  SESSION_KEYS: 'q3J9vX2mL8pR4tY7wZ1cF6hK0nB5sD2gA8eU4iO9',
};

function problemsOf(env: Record<string, string>): string[] {
  const result = parseConfig(env);
  return result.ok ? [] : result.problems;
}

describe('WEBAUTHN_RP_ID, WEBAUTHN_ORIGINS, WEBAUTHN_RP_NAME', () => {
  it('default to localhost on the listening port, as a browser reaches the local service', () => {
    const result = parseConfig({ PORT: '4100' });
    expect(result.ok && result.config.webauthn).toEqual({
      rpId: 'localhost',
      rpName: 'Gatehouse',
      origins: ['http://localhost:4100'],
    });
  });

  it('take a site and its origins, subdomains of the RP ID included', () => {
    const result = parseConfig({
      ...PRODUCTION,
      WEBAUTHN_RP_ID: 'Example.com',
      WEBAUTHN_ORIGINS: 'https://example.com, https://login.example.com',
      WEBAUTHN_RP_NAME: 'Example',
    });
    expect(result.ok && result.config.webauthn).toEqual({
      rpId: 'example.com',
      rpName: 'Example',
      origins: ['https://example.com', 'https://login.example.com'],
    });
    expect(result.ok && result.warnings.some((line) => line.startsWith('WEBAUTHN'))).toBe(false);
  });

  it('production without them starts, warning that no browser can use a passkey', () => {
    const result = parseConfig(PRODUCTION);
    expect(result.ok && result.warnings.find((line) => line.startsWith('WEBAUTHN_RP_ID'))).toMatch(/localhost/);
  });

  it.each([
    [{ WEBAUTHN_RP_ID: '127.0.0.1' }, /^WEBAUTHN_RP_ID must be a domain name/],
    [{ WEBAUTHN_RP_ID: 'https://example.com' }, /^WEBAUTHN_RP_ID must be a domain name/],
    [{ WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://example.org' }, /not on WEBAUTHN_RP_ID example.com/],
    [{ WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://notexample.com' }, /not on WEBAUTHN_RP_ID/],
    [{ WEBAUTHN_ORIGINS: 'http://localhost:3000/login' }, /must be an origin/],
  ])('refuses %o in one line naming the variable', (env, message) => {
    expect(problemsOf(env)).toEqual([expect.stringMatching(message)]);
  });

  it('production refuses an http origin; elsewhere http://localhost is fine', () => {
    const env = { WEBAUTHN_RP_ID: 'localhost', WEBAUTHN_ORIGINS: 'http://localhost:8080' };
    expect(problemsOf({ ...PRODUCTION, ...env })).toEqual([expect.stringMatching(/must be https in production/)]);
    expect(problemsOf(env)).toEqual([]);
  });
});
