import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { errorOf } from '../support/typed-responses.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('health and readiness', () => {
  it('GET /healthz 200', async () => {
    const response = await app.call('GET', '/healthz');
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'ok' });
  });

  it('GET /readyz 200 while the store answers', async () => {
    expect((await app.call('GET', '/readyz')).json).toEqual({ status: 'ok', checks: { store: 'ok' } });
  });
});

describe('the contract and its documentation', () => {
  it('GET /openapi.yaml 200 serves the contract as YAML', async () => {
    const response = await app.call('GET', '/openapi.yaml');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/yaml/);
    expect(parse(response.text).openapi).toBe('3.1.0');
  });

  it('GET /openapi.json 200 serves the same contract as JSON', async () => {
    const yaml = parse((await app.call('GET', '/openapi.yaml')).text);
    const response = await app.call('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.json).toEqual(yaml);
  });

  it('GET /docs 200 serves the Redoc page with no script from a CDN', async () => {
    const response = await app.call('GET', '/docs');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toContain('Gatehouse');
    expect(response.text).not.toMatch(/<script[^>]+src="https?:/);
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('GET /docs 503 when the page was never built, saying how to build it', async () => {
    const unbuilt = await startTestApp({ demoData: false, docsFile: '/nonexistent/index.html' });
    const response = await unbuilt.call('GET', '/docs');
    expectEnvelope(response, 503, 'unavailable_error');
    expect(errorOf(response).message).toContain('npm run docs');
    await unbuilt.close();
  });
});

describe('every answer', () => {
  it('carries an X-Request-Id, fresh for each request', async () => {
    const first = await app.call('GET', '/healthz');
    const second = await app.call('GET', '/healthz');
    expect(first.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
  });

  it('never says X-Powered-By, and is never cached', async () => {
    const response = await app.call('GET', '/healthz');
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers['cache-control']).toBe('no-store');
  });
});

describe('HEAD', () => {
  it('200 with the headers of GET and no body wherever GET is allowed', async () => {
    const get = await app.call('GET', '/healthz');
    const head = await app.call('HEAD', '/healthz');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
  });

  it('401 with the challenge on a secured route, like GET', async () => {
    const head = await app.call('HEAD', '/basic/profile');
    expect(head.status).toBe(401);
    expect(head.headers['www-authenticate']).toContain('Basic');
  });

  it('405 where only POST is allowed', async () => {
    const head = await app.call('HEAD', '/login');
    expect(head.status).toBe(405);
    expect(head.headers.allow).toBe('POST');
  });
});

describe('routes that do not exist', () => {
  it('404 for an unknown path, in the envelope', async () => {
    expectEnvelope(await app.call('GET', '/no/such/route'), 404, 'not_found_error');
  });

  it('405 for a wrong method on a known path, with Allow', async () => {
    const response = await app.call('DELETE', '/basic/profile');
    expectEnvelope(response, 405, 'method_not_allowed_error');
    expect(response.headers.allow).toBe('GET');
  });

  it('405 for GET on a POST-only route', async () => {
    expectEnvelope(await app.call('GET', '/login'), 405, 'method_not_allowed_error');
  });

  it('400 invalid_request_error for a path parameter that is not valid percent-encoding', async () => {
    expectEnvelope(
      await app.call('GET', '/users/%ZZ', {
        headers: { authorization: `Basic ${Buffer.from('admin:supersecret').toString('base64')}` },
      }),
      400,
      'invalid_request_error',
      'The path is not valid percent-encoding',
    );
  });

  it('400 for a path that is not valid percent-encoding', async () => {
    const response = await app.call('GET', '/basic/%E0%A4%A');
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(errorOf(response).request_id).toBe(response.headers['x-request-id']);
  });
});

describe('readiness when the store is gone', () => {
  it('GET /readyz 503 once the database stops answering', async () => {
    const doomed = await startTestApp({ demoData: false });
    await doomed.store.close();
    const response = await doomed.call('GET', '/readyz');
    expectEnvelope(response, 503, 'unavailable_error');
    await doomed.close().catch(() => undefined);
  });
});
