import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, bearer, cookiesFrom, type TestApp } from '../support/test-app.js';
import { errorOf } from '../support/typed-responses.js';
import {
  expectHealthyAndDiscreet,
  expectRefused,
  rawExchange,
  rawJson,
  rawStatus,
  startHostileApp,
} from './hostile-support.js';

let app: TestApp;
beforeAll(async () => {
  app = await startHostileApp();
});
afterAll(() => app.close());

const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64');

describe('hostile Basic credentials', () => {
  it.each([
    ['no colon', `Basic ${b64('johnsecret123')}`],
    ['only a colon', `Basic ${b64(':')}`],
    ['an empty username', `Basic ${b64(':secret123')}`],
    ['bad base64', 'Basic !!!not-base64!!!'],
    ['base64 with bad padding', 'Basic am9objpzZWNyZXQxMjM'],
    ['base64url instead of base64', `Basic ${b64('john:secret123?>').replaceAll('+', '-').replaceAll('/', '_')}`],
    ['a NUL byte in the username', `Basic ${b64('john\u0000:secret123')}`],
    ['a NUL byte in the password', `Basic ${b64('john:secret123\u0000')}`],
    ['a newline in the password', `Basic ${b64('john:secret123\nX-Injected: 1')}`],
    ['invalid UTF-8', `Basic ${b64(Buffer.from([0x6a, 0xc3, 0x28, 0x3a, 0x61]))}`],
    ['Latin-1 bytes', `Basic ${b64(Buffer.from('jöhn:secret123', 'latin1'))}`],
    ['non-ASCII UTF-8 of an unknown user', `Basic ${b64('jöhn:sécret123')}`],
    ['two credentials', `Basic ${b64('john:secret123')} ${b64('admin:supersecret')}`],
    ['the scheme alone', 'Basic'],
    ['10 KB of base64', `Basic ${'QUFB'.repeat(2_500)}`],
    ['a 100-character username', `Basic ${b64(`${'j'.repeat(100)}:secret123`)}`],
    ['a 1 KB password', `Basic ${b64(`john:${'p'.repeat(1_000)}`)}`],
  ])('401 for %s', async (_name, authorization) => {
    const response = await app.call('GET', '/basic/profile', { headers: { authorization } });
    expectRefused(response, 401, 'authentication_error');
    expect(errorOf(response).message).toBe('Invalid credentials');
  });

  it('a username differing only in case is the same user', async () => {
    expect((await app.call('GET', '/basic/profile', { headers: basic('JOHN', 'secret123') })).status).toBe(200);
  });

  it('400 or 401 for raw non-ASCII bytes in the Authorization header, never a 500', async () => {
    const raw = Buffer.concat([
      Buffer.from('GET /basic/profile HTTP/1.1\r\nHost: x\r\nAuthorization: Basic '),
      Buffer.from([0xff, 0xfe, 0x00, 0x80]),
      Buffer.from('\r\n\r\n'),
    ]);
    const status = rawStatus(await rawExchange(app.url, raw));
    expect([400, 401]).toContain(status);
  });

  it('400 for two Authorization headers, even when both are valid', async () => {
    const raw = `GET /basic/profile HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${b64('john:secret123')}\r\nAuthorization: Basic ${b64('admin:supersecret')}\r\nConnection: close\r\n\r\n`;
    const answer = await rawExchange(app.url, raw);
    expect(rawStatus(answer)).toBe(400);
    expect(rawJson(answer).error).toMatchObject({
      type: 'invalid_request_error',
      message: 'Send one Authorization header, not several',
    });
  });

  it('400 for two X-API-Key headers', async () => {
    const raw =
      'GET /apikey/data HTTP/1.1\r\nHost: x\r\nX-API-Key: sk_test_123\r\nx-api-key: sk_live_456\r\nConnection: close\r\n\r\n';
    expect(rawStatus(await rawExchange(app.url, raw))).toBe(400);
  });
});

describe('hostile bearer and API-key values', () => {
  it.each([
    ['an empty bearer value', { authorization: 'Bearer' }],
    ['a bearer value of spaces', { authorization: 'Bearer      ' }],
    ['a bearer value with spaces inside', { authorization: 'Bearer sk_test_123 extra' }],
    ['a bearer value of padding', { authorization: 'Bearer ====' }],
    ['the word null', bearer('null')],
    ['the word undefined', bearer('undefined')],
    ['a JSON object', bearer('{"$ne":null}')],
    ['SQL', bearer("' OR '1'='1")],
    ['a key with a trailing dot', bearer('sk_test_123.')],
    ['a key differing in case', bearer('SK_TEST_123')],
    ['a lowercase scheme and a wrong key', { authorization: 'bearer sk_test_999' }],
    ['an unknown scheme', { authorization: 'Token sk_test_123' }],
    ['an empty X-API-Key', { 'x-api-key': '' }],
    ['an X-API-Key of spaces', { 'x-api-key': '   ' }],
    ['an X-API-Key with a wildcard', { 'x-api-key': 'sk_test_*' }],
    ['an X-API-Key of 10 KB', { 'x-api-key': 'k'.repeat(10_000) }],
  ])('401 for %s', async (_name, headers) => {
    const response = await app.call('GET', '/apikey/data', { headers });
    expectRefused(response, 401, 'authentication_error');
    expect(errorOf(response).message).toBe('Invalid API Key');
  });

  it.each(['api_key', 'apikey', 'api-key', 'key', 'access_token', 'token', 'password', 'auth', 'API_KEY'])(
    '400 for a key in the query string as %s, even a valid one',
    async (name) => {
      const response = await app.call('GET', `/apikey/data?${name}=sk_test_123`, { headers: bearer('sk_test_123') });
      expectRefused(response, 400, 'invalid_request_error');
    },
  );

  it('400 for a password in the query string of /login', async () => {
    expectRefused(
      await app.call('POST', '/login?password=password123', { body: { username: 'alice', password: 'password123' } }),
      400,
      'invalid_request_error',
    );
  });
});

describe('hostile session cookies', () => {
  const forged = (payload: unknown): string => `gatehouse_session=${b64(JSON.stringify(payload))}`;

  it.each([
    ['an unsigned cookie', forged({ token: 'a'.repeat(43) })],
    ['a forged signature', `${forged({ token: 'a'.repeat(43) })}; gatehouse_session.sig=AAAAAAAAAAAAAAAAAAAAAAAAAAA`],
    ['an empty signature', `${forged({ token: 'a'.repeat(43) })}; gatehouse_session.sig=`],
    ['garbage', 'gatehouse_session=%%%not-base64%%%; gatehouse_session.sig=xyz'],
    ['an empty cookie', 'gatehouse_session='],
    ['a cookie that is not JSON', `gatehouse_session=${b64('not json')}; gatehouse_session.sig=abc`],
    ['an operator object as the token', forged({ token: { $ne: null } })],
    ['a prototype-polluting payload', forged({ __proto__: { polluted: true }, token: 'x' })],
    ['a 10 KB cookie', `gatehouse_session=${'A'.repeat(10_000)}`],
    ['the cookie twice', 'gatehouse_session=abc; gatehouse_session=def'],
  ])('401 for %s', async (_name, cookie) => {
    const response = await app.call('GET', '/dashboard', { headers: { cookie } });
    expectRefused(response, 401, 'authentication_error');
    expect(errorOf(response).message).toBe('Not authenticated');
  });

  it('401 for a real session cookie with its signature taken from another session', async () => {
    const alice = cookiesFrom(
      await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } }),
    );
    const bob = cookiesFrom(await app.call('POST', '/login', { body: { username: 'bob', password: 'securepass' } }));
    const aliceValue = alice.split('; ').find((c) => c.startsWith('gatehouse_session='));
    const bobSig = bob.split('; ').find((c) => c.startsWith('gatehouse_session.sig='));
    expectRefused(
      await app.call('GET', '/dashboard', { headers: { cookie: `${aliceValue}; ${bobSig}` } }),
      401,
      'authentication_error',
    );
  });

  it('401 for a cookie signed the way cookie-session signs, with a key the service does not hold', async () => {
    const value = b64(JSON.stringify({ token: 'a'.repeat(43) }));
    const sig = createHmac('sha1', 'some-other-key-0123456789abcdefghijkl')
      .update(`gatehouse_session=${value}`)
      .digest('base64url');
    expectRefused(
      await app.call('GET', '/dashboard', {
        headers: { cookie: `gatehouse_session=${value}; gatehouse_session.sig=${sig}` },
      }),
      401,
      'authentication_error',
    );
  });
});

describe('after the hostile credentials', () => {
  it('the service is healthy and logged nothing secret', async () => {
    await expectHealthyAndDiscreet(app);
  });
});
