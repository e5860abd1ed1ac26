import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { basic, cookiesFrom, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';

const ADMIN = basic('admin', 'supersecret');
const LONG_ID = `usr_${'x'.repeat(200)}`;

describe('a malformed id in a path is simply not found', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(() => app.close());

  it.each([
    ['GET', '/users/bad-id'],
    ['PATCH', '/users/bad-id'],
    ['DELETE', '/users/bad-id'],
    ['GET', `/users/${LONG_ID}`],
    ['DELETE', '/api-keys/bad-id'],
    ['DELETE', `/api-keys/${LONG_ID}`],
    ['DELETE', '/me/sessions/bad-id'],
    ['DELETE', `/me/sessions/${LONG_ID}`],
  ])('404 for %s %s', async (method, path) => {
    const body = method === 'PATCH' ? { role: 'user' } : undefined;
    const response = await app.call(method, path, { headers: ADMIN, body });
    expectEnvelope(response, 404, 'not_found_error');
  });
});

describe('a malformed X-CSRF-Token is a wrong token', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(() => app.close());

  it.each(['not a token!', 'x'.repeat(500)])('is ignored beside Basic credentials (%#)', async (token) => {
    const response = await app.call('POST', '/api-keys', {
      headers: { ...ADMIN, 'X-CSRF-Token': token },
      body: { name: 'ci', permissions: ['read'] },
    });
    expect(response.status).toBe(201);
  });

  it.each(['not a token!', 'x'.repeat(500)])('403 csrf_error with the session cookie (%#)', async (token) => {
    const cookie = cookiesFrom(
      await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } }),
    );
    const response = await app.call('POST', '/api-keys', {
      headers: { cookie, 'X-CSRF-Token': token },
      body: { name: 'ci', permissions: ['read'] },
    });
    expectEnvelope(response, 403, 'csrf_error', 'Invalid CSRF token');
  });
});

describe('GET /openapi.yaml', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(() => app.close());

  it('answers a YAML mapping, as the contract declares', async () => {
    const response = await app.call('GET', '/openapi.yaml');
    expect(response.status).toBe(200);
    const body: unknown = parse(response.text);
    expect(body).toMatchObject({ openapi: expect.any(String), paths: expect.any(Object) });
    const contract = parse(response.text) as {
      paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: unknown }> }> } }>;
    };
    const declared = contract.paths['/openapi.yaml']?.get.responses['200']?.content['application/yaml']?.schema;
    expect(declared).toMatchObject({ type: 'object' });
  });
});
