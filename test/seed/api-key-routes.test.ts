import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { errorOf } from '../support/typed-responses.js';

const BEARER_CHALLENGE = 'Bearer realm="gatehouse"';

describe('GET /apikey/data', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('200 with a key as a bearer token, as the seed sends it', async () => {
    const response = await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ data: ['item1', 'item2'] });
  });

  it('200 with a read-only key in X-API-Key', async () => {
    const response = await app.call('GET', '/apikey/data', { headers: { 'x-api-key': 'sk_live_456' } });
    expect(response.json).toEqual({ data: ['item1', 'item2'] });
  });

  it('401 without a key, with the Bearer challenge', async () => {
    const response = await app.call('GET', '/apikey/data');
    expectEnvelope(response, 401, 'authentication_error', 'Invalid API Key');
    expect(response.headers['www-authenticate']).toBe(BEARER_CHALLENGE);
  });

  it.each([
    ['an unknown key in X-API-Key', { 'x-api-key': 'sk_test_999' }],
    ['an unknown bearer key', bearer('sk_test_999')],
    ['an empty bearer value', { authorization: 'Bearer' }],
    ['a bearer value with spaces', { authorization: 'Bearer sk_test_123 extra' }],
    ['a key of absurd length', { 'x-api-key': 'k'.repeat(5000) }],
    ['a key that differs only in case', { 'x-api-key': 'SK_TEST_123' }],
  ])('401 for %s', async (_name, headers) => {
    const response = await app.call('GET', '/apikey/data', { headers });
    expectEnvelope(response, 401, 'authentication_error', 'Invalid API Key');
    expect(response.headers['www-authenticate']).toBe(BEARER_CHALLENGE);
  });

  it('401 for Basic credentials sent where an API key is required', async () => {
    const response = await app.call('GET', '/apikey/data', {
      headers: { authorization: `Basic ${Buffer.from('john:secret123').toString('base64')}` },
    });
    expectEnvelope(response, 401, 'authentication_error', 'Invalid API Key');
  });

  it('400 refuses a key in the query string, even a valid one', async () => {
    for (const name of ['api_key', 'apikey', 'key', 'access_token']) {
      const response = await app.call('GET', `/apikey/data?${name}=sk_test_123`);
      expectEnvelope(response, 400, 'invalid_request_error');
    }
  });
});

describe('POST /apikey/create', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('200 echoes the created item for a key with write permission', async () => {
    const item = { name: 'widget', tags: ['a', 'b'], nested: { count: 3 } };
    const response = await app.call('POST', '/apikey/create', { headers: bearer('sk_test_123'), body: item });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ message: 'Item created', item });
  });

  it('200 through X-API-Key as well', async () => {
    const response = await app.call('POST', '/apikey/create', { headers: { 'x-api-key': 'sk_test_123' }, body: {} });
    expect(response.json).toEqual({ message: 'Item created', item: {} });
  });

  it('403 for a valid key without write permission, whichever header carries it', async () => {
    for (const headers of [bearer('sk_live_456'), { 'x-api-key': 'sk_live_456' }]) {
      const response = await app.call('POST', '/apikey/create', { headers, body: { name: 'x' } });
      expectEnvelope(response, 403, 'authorization_error', 'Write access required');
    }
  });

  it('401 before any body check for an anonymous caller', async () => {
    const response = await app.call('POST', '/apikey/create', {
      body: '[1,2]',
      headers: { 'content-type': 'application/json' },
    });
    expectEnvelope(response, 401, 'authentication_error', 'Invalid API Key');
  });

  it.each([
    ['an array', '[1,2]'],
    ['a string', '"text"'],
    ['a number', '42'],
    ['null', 'null'],
  ])('422 when the body is %s instead of an object', async (_name, body) => {
    const response = await app.call('POST', '/apikey/create', {
      headers: { ...bearer('sk_test_123'), 'content-type': 'application/json' },
      body,
    });
    expectEnvelope(response, 422, 'validation_error');
    expect(errorOf(response).details).toEqual([{ path: '/body', message: expect.any(String) }]);
  });

  it('422 when the body is missing', async () => {
    const response = await app.call('POST', '/apikey/create', {
      headers: { ...bearer('sk_test_123'), 'content-type': 'application/json' },
    });
    expectEnvelope(response, 422, 'validation_error');
  });

  it('400 for a body that is not JSON', async () => {
    const response = await app.call('POST', '/apikey/create', {
      headers: { ...bearer('sk_test_123'), 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expectEnvelope(response, 400, 'invalid_request_error', 'Request body is not valid JSON');
  });

  it('413 for a body over 100 KB', async () => {
    const response = await app.call('POST', '/apikey/create', {
      headers: bearer('sk_test_123'),
      body: { blob: 'x'.repeat(110_000) },
    });
    expectEnvelope(response, 413, 'invalid_request_error');
  });

  it('415 for a body that is not application/json', async () => {
    const response = await app.call('POST', '/apikey/create', {
      headers: { ...bearer('sk_test_123'), 'content-type': 'text/plain' },
      body: 'name=widget',
    });
    expectEnvelope(response, 415, 'invalid_request_error');
  });

  it('keeps prototype-pollution keys as plain data', async () => {
    const body = '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}';
    const response = await app.call('POST', '/apikey/create', {
      headers: { ...bearer('sk_test_123'), 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const after = await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') });
    expect(after.status).toBe(200);
  });
});
