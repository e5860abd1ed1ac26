import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonDepth } from '../../src/http/refusals.js';
import { bearer, type TestApp } from '../support/test-app.js';
import { errorOf } from '../support/typed-responses.js';
import { expectHealthyAndDiscreet, expectRefused, rawExchange, rawStatus, startHostileApp } from './hostile-support.js';

let app: TestApp;
beforeAll(async () => {
  app = await startHostileApp();
});
afterAll(() => app.close());

const JSON_TYPE = { 'content-type': 'application/json' };

function postLogin(body: string, headers: Record<string, string> = JSON_TYPE) {
  return app.call('POST', '/login', { body, headers });
}

function postItem(body: string, headers: Record<string, string> = JSON_TYPE) {
  return app.call('POST', '/apikey/create', { body, headers: { ...bearer('sk_test_123'), ...headers } });
}

describe('prototype pollution and operator injection', () => {
  it.each([
    ['__proto__ beside the credentials', '{"username":"alice","password":"x","__proto__":{"polluted":true}}'],
    ['constructor.prototype', '{"username":"alice","password":"x","constructor":{"prototype":{"polluted":true}}}'],
    ['__proto__ as the username', '{"username":{"__proto__":{"polluted":true}},"password":"x"}'],
    ['$ne operators', '{"username":{"$ne":null},"password":{"$ne":null}}'],
    ['$gt operators', '{"username":"alice","password":{"$gt":""}}'],
    ['$where', '{"username":"alice","password":"x","$where":"1==1"}'],
    ['arrays for strings', '{"username":["alice"],"password":["password123"]}'],
    ['a boolean password', '{"username":"alice","password":true}'],
    ['an over-long username', JSON.stringify({ username: 'a'.repeat(65), password: 'x' })],
  ])('422 on /login for %s, and nothing polluted', async (_name, body) => {
    expectRefused(await postLogin(body), 422, 'validation_error');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('401 for SQL in the username: it is only ever a bound parameter', async () => {
    expectRefused(
      await postLogin(JSON.stringify({ username: "alice' OR '1'='1", password: "' OR '1'='1" })),
      401,
      'authentication_error',
    );
    expectRefused(
      await postLogin(JSON.stringify({ username: 'alice"; DROP TABLE users; --', password: 'x' })),
      401,
      'authentication_error',
    );
  });

  it('200 on /apikey/create keeps pollution keys as plain data, and pollutes nothing', async () => {
    const response = await postItem('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}');
    expect(response.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('wrong content types and encodings', () => {
  it.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['XML', 'application/xml'],
    ['a made-up type', 'application/x-gatehouse'],
  ])('415 for %s', async (_name, type) => {
    expectRefused(
      await postLogin('{"username":"alice","password":"password123"}', { 'content-type': type }),
      415,
      'invalid_request_error',
    );
  });

  it('415 without a Content-Type', async () => {
    expectRefused(
      await app.call('POST', '/login', { body: '{"username":"alice","password":"x"}' }),
      415,
      'invalid_request_error',
    );
  });

  it('415 for JSON in a charset other than UTF-8', async () => {
    expectRefused(
      await postLogin('{"username":"alice","password":"x"}', { 'content-type': 'application/json; charset=latin1' }),
      415,
      'invalid_request_error',
    );
  });

  it('4xx for a body that claims gzip and is not', async () => {
    const response = await postLogin('{"username":"alice","password":"x"}', {
      ...JSON_TYPE,
      'content-encoding': 'gzip',
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(errorOf(response).request_id).toBe(response.headers['x-request-id']);
  });
});

describe('malformed and oversized bodies', () => {
  it.each([
    ['truncated JSON', '{"username":"alice","password":'],
    ['single quotes', "{'username':'alice'}"],
    ['a trailing comma', '{"username":"alice","password":"x",}'],
    ['a NUL byte', '{"username":"alice\u0000","password":"x"'],
    ['two documents', '{"username":"a","password":"b"}{"x":1}'],
  ])('400 for %s', async (_name, body) => {
    expectRefused(await postLogin(body), 400, 'invalid_request_error');
  });

  it('422 for an empty body where one is required', async () => {
    expectRefused(await app.call('POST', '/login', { headers: JSON_TYPE }), 422, 'validation_error');
  });

  it('413 for a body over 100 KB, before any of it is parsed', async () => {
    expectRefused(
      await postLogin(JSON.stringify({ username: 'alice', password: 'x'.repeat(110_000) })),
      413,
      'invalid_request_error',
    );
    expectRefused(await postItem(JSON.stringify({ blob: 'x'.repeat(200_000) })), 413, 'invalid_request_error');
  });

  it('413 for a body whose Content-Length claims more than 100 KB', async () => {
    const raw =
      'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\nConnection: close\r\n\r\n{}';
    expect(rawStatus(await rawExchange(app.url, raw))).toBe(413);
  });

  it.each([
    ['objects', (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`],
    ['arrays', (n: number) => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`],
  ])('400 for %s nested thousands deep within 100 KB (not a 500)', async (_name, nest) => {
    const response = await postItem(nest(15_000));
    expectRefused(response, 400, 'invalid_request_error');
    expect(errorOf(response).message).toBe('Request body is nested more than 32 levels deep');
  });

  it('200 for a body nested 32 levels deep', async () => {
    const body = `${'{"a":'.repeat(31)}1${'}'.repeat(31)}`;
    expect((await postItem(body)).status).toBe(200);
  });

  it('jsonDepth measures without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(jsonDepth(deep, 32)).toBe(33);
    expect(jsonDepth({ a: [1, { b: 2 }] }, 32)).toBe(3);
    expect(jsonDepth('text', 32)).toBe(0);
  });
});

describe('wrong methods and odd paths', () => {
  it.each([
    ['PUT', '/login'],
    ['GET', '/login'],
    ['DELETE', '/apikey/data'],
    ['PATCH', '/healthz'],
    ['POST', '/basic/profile'],
    ['GET', '/logout'],
  ])('405 for %s %s, with Allow', async (method, path) => {
    const response = await app.call(method, path, { headers: bearer('sk_test_123') });
    expectRefused(response, 405, 'method_not_allowed_error');
    expect(response.headers.allow).toBeDefined();
  });

  it.each([
    '/nowhere',
    '/%00',
    '/basic/%E0%A4%A',
    '/../etc/passwd',
    '/basic/profile/..%2f..%2fadmin',
    `/${'a'.repeat(8_000)}`,
    '/__proto__',
    '/constructor',
  ])('404 for %s', async (path) => {
    expectRefused(await app.call('GET', path), 404, 'not_found_error');
  });

  it('4xx for TRACE and unknown methods, never a 500', async () => {
    for (const method of ['TRACE', 'FOO']) {
      const status = rawStatus(
        await rawExchange(app.url, `${method} /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      );
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
  });

  it('ignores prototype-polluting query parameters', async () => {
    expect((await app.call('GET', '/healthz?__proto__[polluted]=1&constructor[prototype][polluted]=1')).status).toBe(
      200,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('after the hostile bodies', () => {
  it('the service is healthy and logged nothing secret', async () => {
    await expectHealthyAndDiscreet(app);
  });
});
