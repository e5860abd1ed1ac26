import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingSignIn, turnOnTotp } from '../support/second-factor.js';
import { cookiesFrom, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf } from '../support/typed-responses.js';
import { passingCredentials, specOperations } from './spec-walk.js';

/**
 * One suite over every operation of the contract: the refusals that come before any handler
 * (credentials in the query string, unreadable, oversized or mistyped bodies) hold everywhere,
 * with the status the contract documents.
 */
let app: TestApp;
let adminSession: Record<string, string>;
/** A pending sign-in of bob, who has TOTP on: what the second step of a sign-in accepts. */
let pendingSession: Record<string, string>;

beforeAll(async () => {
  // This suite is about which credentials pass, not about counting them: limits out of the way.
  app = await startTestApp({
    config: { rateLimitMax: 1_000_000, loginMaxFailures: 1_000_000, loginIpMaxFailures: 1_000_000 },
  });
  const login = await app.call('POST', '/login', { body: { username: 'admin', password: 'supersecret' } });
  adminSession = { cookie: cookiesFrom(login), 'x-csrf-token': bodyOf(login, 'login', 200).csrf_token };
  await turnOnTotp(app, 'bob', 'securepass');
  pendingSession = await pendingSignIn(app, 'bob', 'securepass');
});
afterAll(() => app.close());

describe.each(specOperations().map((op) => [`${op.method} ${op.path}`, op] as const))('%s', (_name, op) => {
  it('400 for credentials in the query string, as documented', async () => {
    expect(op.documented.has('400')).toBe(true);
    expectEnvelope(
      await app.call(op.method, `${op.path}?api_key=sk_test_123`, {
        headers: passingCredentials(op, adminSession, pendingSession),
      }),
      400,
      'invalid_request_error',
    );
  });
});

describe.each(
  specOperations()
    .filter((op) => op.jsonBody)
    .map((op) => [`${op.method} ${op.path}`, op] as const),
)('%s with a JSON body', (_name, op) => {
  it('400 for a body that is not JSON', async () => {
    expect(op.documented.has('400')).toBe(true);
    const response = await app.call(op.method, op.path, {
      headers: { ...passingCredentials(op, adminSession, pendingSession), 'content-type': 'application/json' },
      body: '{"unterminated',
    });
    expectEnvelope(response, 400, 'invalid_request_error');
  });

  it('413 for a body over 100 KB', async () => {
    expect(op.documented.has('413')).toBe(true);
    const response = await app.call(op.method, op.path, {
      headers: passingCredentials(op, adminSession, pendingSession),
      body: { padding: 'x'.repeat(120_000) },
    });
    expectEnvelope(response, 413, 'invalid_request_error');
  });

  it('415 for a body that is not JSON by its content type', async () => {
    expect(op.documented.has('415')).toBe(true);
    const response = await app.call(op.method, op.path, {
      headers: { ...passingCredentials(op, adminSession, pendingSession), 'content-type': 'text/plain' },
      body: 'hello',
    });
    expectEnvelope(response, 415, 'invalid_request_error');
  });

  it('422 for a JSON body of the wrong shape', async () => {
    expect(op.documented.has('422')).toBe(true);
    const response = await app.call(op.method, op.path, {
      headers: { ...passingCredentials(op, adminSession, pendingSession), 'content-type': 'application/json' },
      body: '[]',
    });
    expectEnvelope(response, 422, 'validation_error');
  });
});
