import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { bearer, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { errorOf } from '../support/typed-responses.js';

const ALLOWED = 'https://app.example.com';
const OTHER = 'https://evil.example.net';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ config: { corsOrigins: [ALLOWED, 'http://localhost:5173'] } });
});
afterAll(() => app.close());

function preflight(path: string, origin: string, method = 'POST', headers = 'content-type, x-api-key') {
  return app.call('OPTIONS', path, {
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });
}

describe('CORS', () => {
  it('answers a listed origin with that origin and credentials, exposing our headers', async () => {
    const response = await app.call('GET', '/apikey/data', { headers: { ...bearer('sk_test_123'), origin: ALLOWED } });
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    const exposed = String(response.headers['access-control-expose-headers']).split(',');
    expect(exposed).toEqual(['X-Request-Id', 'RateLimit', 'RateLimit-Policy', 'Retry-After']);
    expect(String(response.headers.vary)).toMatch(/Origin/);
  });

  it('reflects no origin that is not listed, and sends no CORS header at all to it', async () => {
    const response = await app.call('GET', '/apikey/data', { headers: { ...bearer('sk_test_123'), origin: OTHER } });
    expect(response.status).toBe(200);
    const cors = Object.keys(response.headers).filter((name) => name.startsWith('access-control-'));
    expect(cors).toEqual([]);
  });

  it('matches origins exactly: a listed origin as a prefix or with another scheme is not listed', async () => {
    for (const origin of [`${ALLOWED}.evil.net`, 'http://app.example.com', 'null']) {
      const response = await app.call('GET', '/healthz', { headers: { origin } });
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it("204 to a preflight from a listed origin on a documented path (not the validator's 405)", async () => {
    const response = await preflight('/apikey/create', ALLOWED);
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    expect(String(response.headers['access-control-allow-methods'])).toContain('POST');
    expect(response.headers['access-control-allow-headers']).toBe('Authorization,Content-Type,X-API-Key,X-CSRF-Token');
    expect(response.headers['access-control-max-age']).toBe('600');
  });

  it('a preflight from an unlisted origin gets no CORS permission', async () => {
    const response = await preflight('/apikey/create', OTHER);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(errorOf(response).request_id).toBe(response.headers['x-request-id']);
  });

  it("a plain OPTIONS with no Origin is still the validator's 405", async () => {
    expectEnvelope(await app.call('OPTIONS', '/apikey/data'), 405, 'method_not_allowed_error');
  });

  it('no CORS at all when CORS_ORIGINS is empty', async () => {
    const closed = await startTestApp();
    try {
      const response = await closed.call('GET', '/healthz', { headers: { origin: ALLOWED } });
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await closed.close();
    }
  });
});

describe('CORS_ORIGINS configuration', () => {
  const base = {
    NODE_ENV: 'production',
    SESSION_KEYS: 'k'.repeat(40),
    DATABASE_URL: 'sqlite::memory:',
    DEMO_DATA: 'off',
  };

  it('refuses "*" at start, with a line saying why', () => {
    const result = parseConfig({ ...base, CORS_ORIGINS: '*' });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems).toContain('CORS_ORIGINS must list origins; "*" cannot be used with credentials');
  });

  it('refuses entries that are not origins', () => {
    const result = parseConfig({ ...base, CORS_ORIGINS: 'https://app.example.com/path' });
    expect(result.ok).toBe(false);
  });

  it('accepts a comma list of origins', () => {
    const result = parseConfig({ ...base, CORS_ORIGINS: 'https://a.example.com, http://localhost:5173' });
    expect(result.ok && result.config.corsOrigins).toEqual(['https://a.example.com', 'http://localhost:5173']);
  });
});
