import type { LoadRequest } from './load-generator.js';

/** One Gatehouse request to load, with the status every answer must have. */
export interface Scenario {
  /** Short name for --only and file names. */
  id: string;
  title: string;
  expectedStatus: number;
  /** Settings of its own for the server (e.g. the Basic cache off). */
  env?: Record<string, string>;
  /** The request, given the server's URL (the session scenario signs in first). */
  request(baseUrl: string): Promise<LoadRequest>;
}

const get = (path: string, headers: Record<string, string> = {}): LoadRequest => ({ method: 'GET', path, headers });
const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Signs in as a demo user once; the cookies are reused for every request of the scenario. */
export async function signIn(baseUrl: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200)
    throw new Error(`sign-in as ${username} answered ${response.status}: ${await response.text()}`);
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

/** The demo data's credentials (DESIGN.md §2), as a client of the seed would send them. */
export const GATEHOUSE_SCENARIOS: Scenario[] = [
  { id: 'healthz', title: 'GET /healthz', expectedStatus: 200, request: async () => get('/healthz') },
  {
    id: 'basic',
    title: 'Basic GET /basic/profile (warm cache)',
    expectedStatus: 200,
    request: async () => get('/basic/profile', { authorization: basic('john', 'secret123') }),
  },
  // bcrypt 12 on every request: what the cache saves (and that the throttle lets a right password through).
  {
    id: 'basic-uncached',
    title: 'Basic GET /basic/profile, cache off (bcrypt 12 each time)',
    expectedStatus: 200,
    env: { BASIC_CACHE_SECONDS: '0' },
    request: async () => get('/basic/profile', { authorization: basic('john', 'secret123') }),
  },
  {
    id: 'bearer',
    title: 'Bearer GET /apikey/data',
    expectedStatus: 200,
    request: async () => get('/apikey/data', { authorization: 'Bearer sk_test_123' }),
  },
  {
    id: 'x-api-key',
    title: 'X-API-Key GET /apikey/data',
    expectedStatus: 200,
    request: async () => get('/apikey/data', { 'x-api-key': 'sk_test_123' }),
  },
  {
    id: 'session',
    title: 'session GET /dashboard',
    expectedStatus: 200,
    request: async (baseUrl) => get('/dashboard', { cookie: await signIn(baseUrl, 'alice', 'password123') }),
  },
  // The cheapest documented 401: no credential at all, so no store work; the error path and its envelope.
  {
    id: '401',
    title: '401 GET /basic/profile, no credentials',
    expectedStatus: 401,
    request: async () => get('/basic/profile'),
  },
  // A wrong key of the old demo format (no checksum to refuse it early): one store lookup, then the 401.
  {
    id: '401-key',
    title: '401 X-API-Key GET /apikey/data, unknown key',
    expectedStatus: 401,
    request: async () => get('/apikey/data', { 'x-api-key': 'sk_test_999' }),
  },
];

/** Scenarios repeated with WEB_CONCURRENCY workers. */
export const WORKER_SCENARIO_IDS = ['healthz', 'basic', 'bearer', 'session'];
/** Scenarios profiled by --profile. */
export const PROFILE_SCENARIO_IDS = ['healthz', 'basic', 'bearer', 'x-api-key', 'session', '401'];
