import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/request-logger.js';
import { basic, bearer, cookiesFrom, startTestApp, type TestApp } from '../support/test-app.js';

const SECRETS = [
  'secret123',
  'password123',
  'sk_test_123',
  'sk_live_456',
  'csrf-canary-7f3a',
  'c2VjcmV0MTIz',
  'am9objpzZWNyZXQxMjM',
];

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ config: { logLevel: 'trace' } });
});
afterAll(() => app.close());

/** The fields of a request's log line that these tests read. */
interface LogLine {
  req: { id: string; method: string; path: string };
  res: { status: number };
  principal: { scheme: string; user_id: string };
  responseTime: number;
}

function linesFor(requestId: unknown): LogLine[] {
  return app.logs.map((line) => JSON.parse(line) as LogLine).filter((entry) => entry.req?.id === requestId);
}

describe('request log', () => {
  it('one JSON line per request: id, method, path, route, status, duration, principal id and scheme', async () => {
    const response = await app.call('GET', '/basic/profile', { headers: basic('john', 'secret123') });
    const lines = linesFor(response.headers['x-request-id']);
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({
      req: { method: 'GET', path: '/basic/profile' },
      route: '/basic/profile',
      res: { status: 200 },
      principal: { scheme: 'basic' },
    });
    expect(line?.principal.user_id).toMatch(/^usr_/);
    expect(typeof line?.responseTime).toBe('number');
  });

  it('names the API key scheme, and no principal for a rejected request', async () => {
    const ok = await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') });
    const refused = await app.call('GET', '/apikey/data', { headers: bearer('sk_test_999') });
    expect(linesFor(ok.headers['x-request-id'])[0]?.principal.scheme).toBe('api_key');
    const [line] = linesFor(refused.headers['x-request-id']);
    expect(line?.res.status).toBe(401);
    expect(line?.principal).toBeUndefined();
  });

  it('never logs the query string', async () => {
    const response = await app.call('GET', '/healthz?note=hello-from-query');
    expect(linesFor(response.headers['x-request-id'])[0]?.req.path).toBe('/healthz');
    expect(app.logs.join('\n')).not.toContain('hello-from-query');
  });

  it('at trace level, no credential of any kind reaches the log', async () => {
    const login = await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    const cookie = cookiesFrom(login);
    const token = decodeURIComponent(cookie.split(';')[0]?.split('=')[1] ?? '');
    await app.call('GET', '/dashboard', { headers: { cookie, 'x-csrf-token': 'csrf-canary-7f3a' } });
    await app.call('POST', '/logout', { headers: { cookie, 'x-csrf-token': 'csrf-canary-7f3a' } });
    await app.call('GET', '/basic/profile', { headers: basic('john', 'secret123') });
    await app.call('GET', '/basic/profile', { headers: basic('john', 'secret1234') });
    await app.call('GET', '/apikey/data', { headers: { 'x-api-key': 'sk_live_456' } });
    await app.call('GET', '/apikey/data?api_key=sk_test_123');
    await app.call('POST', '/login', {
      body: '{"username":"alice","password":"password123"',
      headers: { 'content-type': 'application/json' },
    });
    const all = app.logs.join('\n');
    for (const secret of [...SECRETS, token]) expect(all).not.toContain(secret);
  });
});

describe('log redaction', () => {
  function logged(write: (logger: ReturnType<typeof createLogger>) => void): string {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    write(createLogger('trace', sink));
    return lines.join('');
  }

  it.each(['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const)('redacts credentials at %s', (level) => {
    const text = logged((logger) =>
      logger[level](
        {
          req: {
            headers: {
              authorization: 'Basic am9objpzZWNyZXQxMjM=',
              cookie: 'gatehouse_session=abc-cookie',
              'x-api-key': 'sk_test_123',
              'x-csrf-token': 'csrf-canary-7f3a',
            },
          },
          res: { headers: { 'set-cookie': 'gatehouse_session=set-cookie-value' } },
          headers: { authorization: 'Bearer sk_live_456' },
          err: { body: '{"password":"password123"}', headers: { cookie: 'err-cookie' } },
          password: 'top-level-password',
          user: { password: 'nested-password', new_password: 'new-password-value' },
          request: { body: { password: 'deep-password' } },
        },
        'something happened',
      ),
    );
    expect(text).toContain('something happened');
    for (const secret of [
      'am9objpzZWNyZXQxMjM',
      'abc-cookie',
      'sk_test_123',
      'csrf-canary-7f3a',
      'set-cookie-value',
      'sk_live_456',
      'password123',
      'err-cookie',
      'top-level-password',
      'nested-password',
      'new-password-value',
      'deep-password',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });
});
