import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { errorOf } from '../support/typed-responses.js';

const BASIC_CHALLENGE = 'Basic realm="gatehouse", charset="UTF-8"';

describe('GET /basic/profile', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('200 greets the user named by valid Basic credentials', async () => {
    const response = await app.call('GET', '/basic/profile', { headers: basic('john', 'secret123') });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ message: 'Welcome john!' });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('200 greets each demo user by their own name', async () => {
    const response = await app.call('GET', '/basic/profile', { headers: basic('bob', 'securepass') });
    expect(response.json).toEqual({ message: 'Welcome bob!' });
  });

  it('401 without credentials, with the Basic challenge', async () => {
    const response = await app.call('GET', '/basic/profile');
    expectEnvelope(response, 401, 'authentication_error', 'Invalid credentials');
    expect(response.headers['www-authenticate']).toBe(BASIC_CHALLENGE);
  });

  it('401 for a wrong password and for an unknown user, answered the same', async () => {
    const wrong = await app.call('GET', '/basic/profile', { headers: basic('john', 'secret124') });
    const unknown = await app.call('GET', '/basic/profile', { headers: basic('nobody', 'secret123') });
    for (const response of [wrong, unknown]) {
      expectEnvelope(response, 401, 'authentication_error', 'Invalid credentials');
      expect(response.headers['www-authenticate']).toBe(BASIC_CHALLENGE);
    }
    expect(Object.keys(errorOf(wrong))).toEqual(Object.keys(errorOf(unknown)));
  });

  it('401 for a password that only matches in its first 72 bytes', async () => {
    const response = await app.call('GET', '/basic/profile', { headers: basic('john', `secret123${'x'.repeat(80)}`) });
    expectEnvelope(response, 401, 'authentication_error', 'Invalid credentials');
  });

  it.each([
    ['no colon', `Basic ${Buffer.from('johnsecret123').toString('base64')}`],
    ['bad base64', 'Basic !!!not-base64!!!'],
    ['empty', 'Basic '],
    ['invalid UTF-8', `Basic ${Buffer.from([0x6a, 0xff, 0x3a, 0x61]).toString('base64')}`],
    ['a NUL byte', `Basic ${Buffer.from('john\u0000:secret123').toString('base64')}`],
    ['10 KB of base64', `Basic ${'QUFB'.repeat(2500)}`],
  ])('401 for malformed Basic credentials (%s)', async (_name, authorization) => {
    const response = await app.call('GET', '/basic/profile', { headers: { authorization } });
    expectEnvelope(response, 401, 'authentication_error', 'Invalid credentials');
  });

  it('401 for an API key sent where Basic is required', async () => {
    const response = await app.call('GET', '/basic/profile', { headers: { authorization: 'Bearer sk_test_123' } });
    expectEnvelope(response, 401, 'authentication_error', 'Invalid credentials');
  });
});

describe('GET /basic/admin', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('200 lets an admin into the admin zone', async () => {
    const response = await app.call('GET', '/basic/admin', { headers: basic('admin', 'supersecret') });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ message: "You're in the admin zone." });
  });

  it('403 turns away a valid user who is not an admin', async () => {
    const response = await app.call('GET', '/basic/admin', { headers: basic('john', 'secret123') });
    expectEnvelope(response, 403, 'authorization_error', 'Admins only');
    expect(response.headers['www-authenticate']).toBeUndefined();
  });

  it('401 (not 403) for an admin name with a wrong password', async () => {
    const response = await app.call('GET', '/basic/admin', { headers: basic('admin', 'wrong-password') });
    expectEnvelope(response, 401, 'authentication_error', 'Invalid credentials');
    expect(response.headers['www-authenticate']).toBe(BASIC_CHALLENGE);
  });

  it('401 without credentials', async () => {
    expectEnvelope(await app.call('GET', '/basic/admin'), 401, 'authentication_error', 'Invalid credentials');
  });
});
