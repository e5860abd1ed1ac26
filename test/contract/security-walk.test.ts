import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, bearer, cookiesFrom, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf } from '../support/typed-responses.js';
import { securedOperations } from './spec-walk.js';

/**
 * One suite over every secured operation of the contract: whatever is added to openapi.yaml is
 * proved to refuse anonymous callers and bad credentials (401) and, where a role or permission
 * is declared, valid credentials that lack it (403).
 */
let app: TestApp;
let johnSession: string;
let writeOnlyKey: string;

const BAD_CREDENTIALS: Record<string, Record<string, string>> = {
  basicAuth: basic('john', 'not-his-password'),
  apiKey: { 'x-api-key': 'sk_test_unknown' },
  bearerAuth: bearer('sk_test_unknown'),
  // Filled in before the suite: a validly signed cookie of a session that has been signed out.
  sessionCookie: {},
};

/** Valid credentials of a plain user: role `user`; keys with only the other permission. */
function lacking(scheme: string, scope: string): Record<string, string> {
  const key = scope === 'write' ? 'sk_live_456' : writeOnlyKey;
  switch (scheme) {
    case 'basicAuth':
      return basic('john', 'secret123');
    case 'sessionCookie':
      return { cookie: johnSession };
    case 'apiKey':
      return { 'x-api-key': key };
    default:
      return bearer(key);
  }
}

beforeAll(async () => {
  // This suite is about which credentials pass, not about counting them: limits out of the way.
  app = await startTestApp({
    config: { rateLimitMax: 1_000_000, loginMaxFailures: 1_000_000, loginIpMaxFailures: 1_000_000 },
  });
  const login = await app.call('POST', '/login', { body: { username: 'john', password: 'secret123' } });
  johnSession = cookiesFrom(login);
  const ended = cookiesFrom(await app.call('POST', '/login', { body: { username: 'john', password: 'secret123' } }));
  await app.call('POST', '/logout', { headers: { cookie: ended } });
  BAD_CREDENTIALS.sessionCookie = { cookie: ended };
  const created = await app.call('POST', '/api-keys', {
    headers: basic('john', 'secret123'),
    body: { name: 'write only', permissions: ['write'] },
  });
  writeOnlyKey = bodyOf(created, 'createApiKey', 201).key;
});
afterAll(() => app.close());

describe.each(securedOperations().map((op) => [`${op.method} ${op.path}`, op] as const))('%s', (_name, op) => {
  const schemes = [...new Set(op.security.flatMap((requirement) => Object.keys(requirement)))];

  it('401 without credentials, challenging for Basic and Bearer where accepted', async () => {
    const response = await app.call(op.method, op.path);
    expectEnvelope(response, 401, 'authentication_error');
    const challenge = String(response.headers['www-authenticate'] ?? '');
    expect(challenge.includes('Basic realm="gatehouse"')).toBe(schemes.includes('basicAuth'));
    expect(challenge.includes('Bearer realm="gatehouse"')).toBe(
      schemes.includes('apiKey') || schemes.includes('bearerAuth'),
    );
  });

  it.each(schemes)('401 with bad %s credentials', async (scheme) => {
    const response = await app.call(op.method, op.path, { headers: BAD_CREDENTIALS[scheme] ?? {} });
    expectEnvelope(response, 401, 'authentication_error');
  });
});

/** Every (operation, scheme, role or permission) the contract declares. */
const scopedRequirements = securedOperations().flatMap((op) =>
  op.security.flatMap((requirement) =>
    Object.entries(requirement)
      .filter(([, scopes]) => scopes.length > 0)
      .map(([scheme, scopes]) => [`${op.method} ${op.path}`, scheme, scopes[0] ?? '', op] as const),
  ),
);

describe.each(scopedRequirements)('%s with %s', (_name, scheme, scope, op) => {
  it(`403 for valid credentials without ${scope}`, async () => {
    expect(op.documented.has('403')).toBe(true);
    const response = await app.call(op.method, op.path, { headers: lacking(scheme, scope) });
    expectEnvelope(response, 403, 'authorization_error');
  });
});
