import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, bearer, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { errorOf } from '../support/typed-responses.js';

let app: TestApp;
let proxied: TestApp;
beforeAll(async () => {
  const docsDir = mkdtempSync(join(tmpdir(), 'gatehouse-docs-'));
  writeFileSync(join(docsDir, 'index.html'), '<!doctype html><title>docs</title>');
  app = await startTestApp({ docsFile: join(docsDir, 'index.html') });
  proxied = await startTestApp({ config: { trustProxy: ['loopback'] } });
});
afterAll(async () => {
  await app.close();
  await proxied.close();
});

const ANSWERS: Array<[string, string, string, Record<string, string>?, unknown?]> = [
  ['200 Basic', 'GET', '/basic/profile', basic('john', 'secret123')],
  ['401 Basic', 'GET', '/basic/profile', basic('john', 'wrong')],
  ['200 API key', 'GET', '/apikey/data', bearer('sk_test_123')],
  ['200 login', 'POST', '/login', {}, { username: 'alice', password: 'password123' }],
  ['401 login', 'POST', '/login', {}, { username: 'alice', password: 'nope' }],
  ['404', 'GET', '/nowhere'],
  ['200 health', 'GET', '/healthz'],
];

describe('headers on every answer', () => {
  it.each(ANSWERS)(
    "%s: no-store, a request id, helmet's set and no X-Powered-By",
    async (_name, method, path, headers = {}, body = undefined) => {
      const response = await app.call(method, path, { headers, body });
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(response.headers['content-security-policy']).toBe(
        "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
      );
      if (response.status >= 400) expect(errorOf(response).request_id).toBe(response.headers['x-request-id']);
    },
  );

  it('every answer has its own request id', async () => {
    const ids = new Set<unknown>();
    for (let i = 0; i < 5; i++) ids.add((await app.call('GET', '/healthz')).headers['x-request-id']);
    expect(ids.size).toBe(5);
  });

  it('/docs keeps its own CSP, loose enough for Redoc and nothing from outside', async () => {
    const response = await app.call('GET', '/docs');
    expect(response.status).toBe(200);
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self' 'unsafe-inline'");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).not.toMatch(/https?:/);
  });
});

describe('HSTS', () => {
  it('is not sent over plain http', async () => {
    expect((await app.call('GET', '/healthz')).headers['strict-transport-security']).toBeUndefined();
  });

  it('is not sent when an untrusted client claims X-Forwarded-Proto: https', async () => {
    expect(
      (await app.call('GET', '/healthz', { headers: { 'x-forwarded-proto': 'https' } })).headers[
        'strict-transport-security'
      ],
    ).toBeUndefined();
  });

  it('is sent over HTTPS through a trusted proxy', async () => {
    const response = await proxied.call('GET', '/healthz', { headers: { 'x-forwarded-proto': 'https' } });
    expect(response.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('is sent on errors over HTTPS too', async () => {
    const response = await proxied.call('GET', '/basic/profile', { headers: { 'x-forwarded-proto': 'https' } });
    expectEnvelope(response, 401, 'authentication_error');
    expect(response.headers['strict-transport-security']).toMatch(/^max-age=/);
  });
});
