import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securedOperations, specOperations } from '../contract/spec-walk.js';
import { pendingSignIn, turnOnTotp } from '../support/second-factor.js';
import { basic, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A stolen password alone, against every operation of the contract, for an admin who has TOTP
 * on: by Basic wherever Basic is accepted, and as the pending sign-in it buys at POST /login
 * wherever the session cookie is accepted. Nothing but the second step of the sign-in lets it in.
 */
let app: TestApp;
let pending: Record<string, string>;

beforeAll(async () => {
  app = await startTestApp({
    config: { rateLimitMax: 1_000_000, loginMaxFailures: 1_000_000, loginIpMaxFailures: 1_000_000 },
  });
  await turnOnTotp(app, 'admin', 'supersecret');
  pending = await pendingSignIn(app, 'admin', 'supersecret');
});
afterAll(() => app.close());

/** Operations that require the scheme's credential (POST /logout, which answers anyone, is not one). */
const accepting = (scheme: string) =>
  securedOperations().filter((op) => op.security.some((requirement) => scheme in requirement) && !op.pendingSignIn);

describe.each(accepting('basicAuth').map((op) => [`${op.method} ${op.path}`, op] as const))('%s', (_name, op) => {
  it('401 for Basic with the password of an account with a second factor', async () => {
    const response = await app.call(op.method, op.path, { headers: basic('admin', 'supersecret'), body: {} });
    expectEnvelope(response, 401, 'authentication_error');
  });
});

describe.each(accepting('sessionCookie').map((op) => [`${op.method} ${op.path}`, op] as const))('%s', (_name, op) => {
  it('401 for the cookie of a pending sign-in', async () => {
    const response = await app.call(op.method, op.path, { headers: pending, body: {} });
    expectEnvelope(response, 401, 'authentication_error');
  });
});

describe('the pending sign-in itself', () => {
  it('was walked over every session operation but the second step of a sign-in', () => {
    expect(accepting('sessionCookie').length).toBeGreaterThan(10);
    expect(
      specOperations()
        .filter((op) => op.pendingSignIn)
        .map((op) => op.operationId),
    ).toEqual(['loginWithTotp', 'createPasskeySecondStepOptions', 'loginWithPasskeySecondStep']);
  });
});
