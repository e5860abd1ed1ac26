import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesFrom, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { passingCredentials, securedOperations } from './spec-walk.js';

/**
 * One suite over every secured operation: when the store stops answering, a credential cannot
 * be checked, and that is a 503 (logged) — never a 401 that would tell the client its valid
 * credential is wrong, and never a silent one.
 */
let app: TestApp;
let adminSession: Record<string, string>;

beforeAll(async () => {
  app = await startTestApp();
  adminSession = {
    cookie: cookiesFrom(await app.call('POST', '/login', { body: { username: 'admin', password: 'supersecret' } })),
  };
  await app.store.close();
});
afterAll(() => app.close().catch(() => undefined));

describe.each(securedOperations().map((op) => [`${op.method} ${op.path}`, op] as const))('%s', (_name, op) => {
  it('503 when the store cannot check the credential, and the cause is logged', async () => {
    expect(op.documented.has('503')).toBe(true);
    const logged = app.logs.length;
    const response = await app.call(op.method, op.path, { headers: passingCredentials(op, adminSession) });
    expectEnvelope(response, 503, 'unavailable_error');
    expect(app.logs.slice(logged).some((line) => JSON.parse(line).level === 50)).toBe(true);
  });
});

describe('POST /login', () => {
  it('503 when the store cannot check the password, and the cause is logged', async () => {
    const logged = app.logs.length;
    const response = await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    expectEnvelope(response, 503, 'unavailable_error');
    expect(app.logs.slice(logged).some((line) => JSON.parse(line).level === 50)).toBe(true);
  });
});

describe('the passkey sign-in', () => {
  it.each([
    ['POST /login/passkey/options', '/login/passkey/options', undefined],
    [
      'POST /login/passkey',
      '/login/passkey',
      {
        challenge_id: 'wch_0000000000000000',
        credential: {
          id: 'AA',
          rawId: 'AA',
          type: 'public-key',
          response: { clientDataJSON: 'AA', authenticatorData: 'AA', signature: 'AA' },
        },
      },
    ],
  ])('%s: 503 when the store cannot answer, and the cause is logged', async (_name, path, body) => {
    const logged = app.logs.length;
    expectEnvelope(await app.call('POST', path, { body }), 503, 'unavailable_error');
    expect(app.logs.slice(logged).some((line) => JSON.parse(line).level === 50)).toBe(true);
  });
});
