import fc, { type Arbitrary } from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type ContractOperation, contractOperations, resolveRef } from '../../support/spec-model.js';
import { basic, bearer, cookiesFrom, startTestApp, type TestApp, type TestResponse } from '../../support/test-app.js';
import { fuzzText, fuzzValue, type RefResolver, type Schema } from './schema-arbitrary.js';

/**
 * A property-based pass over the whole contract: requests generated from each operation's own
 * parameter and body schemas (mostly valid, some hostile), sent with every kind of credential.
 * Whatever arrives, the answer is a status the operation documents, never a 5xx, and every
 * failure is the error envelope. (The test app also checks each answer's shape against the
 * contract.) A failure prints the seed and the shrunk request; FUZZ_SEED and FUZZ_RUNS replay it.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);

interface FuzzRequest {
  credential: string;
  pathValues: Record<string, string>;
  query: Record<string, string>;
  csrf: string | undefined;
  body: unknown;
}

const resolve: RefResolver = (ref) => resolveRef<Schema>(ref);
const operations = contractOperations;

interface Fixture {
  app: TestApp;
  credentials: Record<string, Record<string, string>>;
  /** Ids that exist, so the generated paths reach the handlers and not only the 404s. */
  knownIds: string[];
}

/** The app being set up (sign-in and lists run against it). */
let app: TestApp;

async function signIn(username: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const response = await app.call('POST', '/login', { body: { username, password } });
  // A failed sign-in would leave the session credentials fuzzing nothing but 401s.
  expect(response.status).toBe(200);
  return { cookie: cookiesFrom(response), csrf: (response.json as { csrf_token: string }).csrf_token };
}

/** The ids of one list, in an order that does not depend on their random values, so a seed replays. */
async function idsOf(path: string, headers: Record<string, string>, orderBy: 'username' | 'name'): Promise<string[]> {
  const list = await app.call('GET', path, { headers });
  expect(list.status).toBe(200);
  const entries = (list.json as { data: Array<{ id: string; username?: string; name?: string }> }).data;
  return entries.sort((a, b) => String(a[orderBy]).localeCompare(String(b[orderBy]))).map((entry) => entry.id);
}

/**
 * An app with signed-in sessions and the ids that exist. Each operation that can change state
 * gets a fresh one: a run that changed a password, disabled a user or revoked a key must not
 * leave the next operation fuzzing with dead credentials, and each run replays from the seed
 * alone. Read-only operations share one (building an app compiles the whole contract).
 */
async function fuzzTarget(): Promise<Fixture> {
  app = await startTestApp({
    config: { rateLimitMax: 1_000_000, loginMaxFailures: 1_000_000, loginIpMaxFailures: 1_000_000 },
    countsTowardCoverage: false,
  });
  const admin = await signIn('admin', 'supersecret');
  const alice = await signIn('alice', 'password123');
  const credentials = {
    none: {},
    'basic admin': basic('admin', 'supersecret'),
    'basic user': basic('john', 'secret123'),
    'basic wrong': basic('john', 'not-his-password'),
    'bearer write key': bearer('sk_test_123'),
    'x-api-key read key': { 'x-api-key': 'sk_live_456' },
    'bearer unknown key': bearer('sk_test_unknown'),
    'session admin': { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
    'session user': { cookie: alice.cookie, 'x-csrf-token': alice.csrf },
    'session without csrf': { cookie: alice.cookie },
  };
  const sessions = await app.call('GET', '/me/sessions', { headers: basic('admin', 'supersecret') });
  const knownIds = [
    ...(await idsOf('/users', basic('admin', 'supersecret'), 'username')),
    ...(await idsOf('/api-keys', basic('john', 'secret123'), 'name')),
    // Admin has exactly one session, the one signed in above.
    ...(sessions.json as { data: Array<{ id: string }> }).data.map((entry) => entry.id),
  ];
  expect(knownIds.length).toBeGreaterThan(3);
  return { app, credentials, knownIds };
}

let forReads: Fixture | undefined;
afterAll(async () => {
  await forReads?.app.close();
});

/** Text a header can carry: printable ASCII only (anything else is refused by the client itself). */
const headerSafe = (text: string): string => text.replace(/[^\x20-\x7e]/g, '').trim();

function requestArbitrary(op: ContractOperation, { credentials, knownIds }: Fixture): Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const pathValues = fc.record(
    Object.fromEntries(
      pathParams.map((p) => [
        p.name,
        fc
          .oneof(fc.constantFrom(...knownIds), fuzzText(p.schema as Schema, resolve))
          .filter((id) => id !== '' && id !== '.' && id !== '..'),
      ]),
    ),
  );
  const query = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, fuzzText(p.schema as Schema, resolve)])), {
    requiredKeys: [],
  });
  return fc.record({
    credential: fc.constantFrom(...Object.keys(credentials)),
    pathValues,
    query,
    csrf: fc.option(fc.string({ maxLength: 80 }).map(headerSafe), { nil: undefined }),
    body:
      op.requestBody === undefined
        ? fc.constant(undefined)
        : fc.option(fuzzValue(op.requestBody as Schema, resolve), { nil: undefined }),
  }) as Arbitrary<FuzzRequest>;
}

async function send(op: ContractOperation, request: FuzzRequest, { app, credentials }: Fixture): Promise<TestResponse> {
  let path = op.template;
  for (const [name, value] of Object.entries(request.pathValues))
    path = path.replace(`{${name}}`, encodeURIComponent(value));
  const search = new URLSearchParams(request.query).toString();
  const headers = { ...credentials[request.credential] };
  if (request.csrf !== undefined && request.csrf !== '') headers['x-csrf-token'] = request.csrf;
  return app.call(op.method, search === '' ? path : `${path}?${search}`, { headers, body: request.body });
}

function problemsWith(op: ContractOperation, response: TestResponse): string[] {
  const problems: string[] = [];
  if (response.status >= 500 && response.status !== 503) problems.push(`answered ${response.status}`);
  if (!op.documented.has(String(response.status)))
    problems.push(`answered ${response.status}, which the contract does not document`);
  if (response.status >= 400) {
    const error = (response.json as { error?: { type?: unknown; status_code?: unknown; request_id?: unknown } })?.error;
    if (
      typeof error?.type !== 'string' ||
      error.status_code !== response.status ||
      typeof error.request_id !== 'string'
    )
      problems.push('the failure is not the error envelope');
  }
  return problems;
}

describe.each(operations.map((op) => [`${op.method} ${op.template}`, op] as const))('%s, fuzzed', (_name, op) => {
  it('answers only documented statuses, never a 5xx, failures in the envelope', async () => {
    const readOnly = op.method === 'GET';
    if (readOnly && forReads === undefined) forReads = await fuzzTarget();
    const fixture = readOnly && forReads !== undefined ? forReads : await fuzzTarget();
    try {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(op, fixture), async (request) => {
          const response = await send(op, request, fixture);
          const problems = problemsWith(op, response);
          if (problems.length > 0) throw new Error(`${problems.join('; ')}: ${response.text.slice(0, 300)}`);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    } finally {
      if (!readOnly) await fixture.app.close();
    }
  });
});
