import { sqliteBackend } from './backends.js';
import { startGatehouse } from './gatehouse-process.js';
import type { LoadGenerator, LoadRequest, LoadResult } from './load-generator.js';
import { treeRssBytes } from './memory.js';
import { type BenchOptions, SOAK_KINDS } from './options.js';
import { loadAverage, machine, writeJson } from './report.js';
import { gatehouseEntry } from './run-scenario.js';
import { signIn } from './scenarios.js';
import { seedRealCredentials, soakRequests } from './soak-credentials.js';

const DISTINCT = 50_000;
const REAL = 2_000;

async function expectStatus(
  baseUrl: string,
  what: string,
  request: LoadRequest | undefined,
  status: number,
): Promise<void> {
  if (request === undefined) throw new Error(`soak: no request for ${what}`);
  const response = await fetch(`${baseUrl}${request.path}`, { method: request.method, headers: request.headers });
  if (response.status !== status)
    throw new Error(
      `soak: ${what} answered ${response.status}, not ${status}: ${(await response.text()).slice(0, 200)}`,
    );
}

/** Load runs of this length follow each other, each carrying on in the list where the last stopped. */
const CHUNK_SECONDS = 30;
/** However slow the machine, a soak ends (the report says how much of the list it used). */
const MAX_SECONDS = 300;

/** At least --soak-seconds, and on until every entry of the list has been sent once (at most 5 minutes of load). */
async function loadUntilAllUsed(
  generator: LoadGenerator,
  options: BenchOptions,
  baseUrl: string,
  requests: LoadRequest[],
): Promise<LoadResult> {
  const total: LoadResult = {
    requests: 0,
    seconds: 0,
    requestsPerSecond: 0,
    p50Ms: 0,
    p99Ms: 0,
    statuses: {},
    errors: 0,
  };
  const limit = Math.max(MAX_SECONDS, options.soakSeconds);
  while ((total.seconds < options.soakSeconds || total.requests < requests.length) && total.seconds < limit) {
    const left = Math.ceil(options.soakSeconds - total.seconds);
    const seconds = left > 0 ? Math.min(CHUNK_SECONDS, left) : CHUNK_SECONDS;
    const startAt = total.requests % requests.length;
    const run = await generator.run({ baseUrl, requests, startAt, seconds, connections: options.connections });
    total.requests += run.requests;
    total.seconds += run.seconds;
    total.errors += run.errors;
    total.p99Ms = Math.max(total.p99Ms, run.p99Ms);
    for (const [status, count] of Object.entries(run.statuses))
      total.statuses[status] = (total.statuses[status] ?? 0) + count;
  }
  total.requestsPerSecond = total.requests / Math.max(total.seconds, 1);
  return total;
}

/** The cookie that cookie-session signs: the one with a `<name>.sig` beside it (sign-in sets others too). */
function signedCookieName(cookieHeader: string): string {
  const names = cookieHeader.split('; ').map((pair) => pair.split('=')[0] ?? '');
  const name = names.find((candidate) => names.includes(`${candidate}.sig`));
  if (name === undefined) throw new Error(`soak: no signed cookie in what sign-in set (${names.join(', ')})`);
  return name;
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/**
 * `npm run bench -- --soak`: one Gatehouse process, 50,000 distinct API keys, sessions and failing
 * usernames in turn for at least a minute and until each has been used, RSS read every second. Memory is bounded when RSS
 * after the warm-up stays within 10% of its value at the end of the warm-up.
 *
 * Two settings differ from the speed run, both so that every distinct credential reaches the
 * structures it could grow: bcrypt cost (default 4; at 12 a minute of failing usernames is a few
 * hundred bcrypt compares, not 50,000) and LOGIN_IP_MAX_FAILURES lifted (all requests come from
 * 127.0.0.1, whose per-address limit would otherwise refuse every username after the 100th
 * before its own counter is touched).
 */
export async function runSoak(generator: LoadGenerator, options: BenchOptions): Promise<number> {
  const backend = sqliteBackend();
  const { dir, databaseUrl } = backend.prepare();
  const server = await startGatehouse(gatehouseEntry, {
    dir,
    databaseUrl,
    bcryptCost: options.soakBcryptCost,
    env: { LOGIN_IP_MAX_FAILURES: '1000000', ...options.soakEnv },
    nodeArgs: options.nodeArgs,
  });
  try {
    console.log(
      `gatehouse soak: ${generator.name}, ${options.connections} connections, ${options.soakKinds.join(', ')}, at least ${options.soakSeconds} s, bcrypt ${options.soakBcryptCost}, node ${options.nodeArgs.join(' ') || '(no flags)'}; load average ${loadAverage()}`,
    );
    const seedStarted = Date.now();
    const real = await seedRealCredentials(databaseUrl, REAL);
    const signedIn = [
      await signIn(server.baseUrl, 'alice', 'password123'),
      await signIn(server.baseUrl, 'john', 'secret123'),
      await signIn(server.baseUrl, 'bob', 'securepass'),
    ];
    const cookieName = signedCookieName(signedIn[0] ?? '');
    console.log(
      `  seeded ${REAL} real API keys and ${REAL} real sessions through the store in ${Date.now() - seedStarted} ms; ${signedIn.length} real sign-ins`,
    );
    const requests = soakRequests({ distinct: DISTINCT, cookieName, sessionKey: server.sessionKey, real, signedIn });
    // Each kind of credential answers as intended before the minute starts.
    // (entry n is requests[3n], [3n + 1] and [3n + 2]; real credentials sit at multiples of DISTINCT / REAL).
    const sessionStride = Math.floor(DISTINCT / (REAL + signedIn.length));
    await expectStatus(server.baseUrl, 'a real API key', requests[0], 200);
    await expectStatus(server.baseUrl, 'an unknown API key', requests[3], 401);
    await expectStatus(server.baseUrl, 'a real sign-in cookie', requests[1], 200);
    await expectStatus(server.baseUrl, 'a seeded session cookie', requests[3 * sessionStride * 10 + 1], 200);
    await expectStatus(server.baseUrl, 'a signed unknown session cookie', requests[4], 401);
    await expectStatus(server.baseUrl, 'a failing username', requests[2], 401);
    // That username's one failure is counted before the soak starts; harmless (5 are needed for a block).
    const kinds = options.soakKinds.map((kind) => SOAK_KINDS.indexOf(kind));
    const sent = requests.filter((_request, index) => kinds.includes(index % 3));

    const samples: Array<{ second: number; rssMb: number }> = [];
    const started = Date.now();
    const sample = (): void => {
      samples.push({ second: Math.round((Date.now() - started) / 1000), rssMb: mb(treeRssBytes(server.pid)) });
    };
    sample();
    const timer = setInterval(sample, 1000);
    const result = await loadUntilAllUsed(generator, options, server.baseUrl, sent).finally(() => clearInterval(timer));
    sample();

    const measured = samples.filter((s) => s.second >= options.soakWarmUpSeconds);
    const first = measured[0]?.rssMb ?? 0;
    const last = measured.at(-1)?.rssMb ?? 0;
    const max = Math.max(...measured.map((s) => s.rssMb));
    const within = max <= first * 1.1;
    const perKind = Math.min(DISTINCT, Math.ceil(result.requests / kinds.length));
    console.log(
      `  ${result.requests} requests in ${Math.round(result.seconds)} s of load (${Math.round(result.requestsPerSecond)}/s), statuses ${JSON.stringify(result.statuses)}, ${result.errors} errors`,
    );
    console.log(
      `  distinct credentials used: about ${perKind} of each kind (of ${DISTINCT}); the list ${result.requests >= sent.length ? 'was gone through at least once' : 'was not gone through in full'}`,
    );
    console.log(
      `  RSS every 5 s: ${samples
        .filter((s) => s.second % 5 === 0)
        .map((s) => `${s.second}s ${s.rssMb}`)
        .join(', ')} MB`,
    );
    console.log(
      `  RSS after ${options.soakWarmUpSeconds} s of warm-up: first ${first} MB, last ${last} MB, max ${max} MB: ${within ? 'within' : 'NOT within'} 10% (${((max / first - 1) * 100).toFixed(1)}%)`,
    );
    const file = writeJson(options, 'soak-latest.json', {
      date: new Date().toISOString(),
      machine: machine(),
      generator: generator.name,
      settings: {
        seconds: options.soakSeconds,
        warmUpSeconds: options.soakWarmUpSeconds,
        connections: options.connections,
        bcryptCost: options.soakBcryptCost,
        nodeArgs: options.nodeArgs,
        env: options.soakEnv,
        distinct: DISTINCT,
        kinds: options.soakKinds,
        realKeys: REAL,
        realSessions: REAL + signedIn.length,
      },
      requests: result.requests,
      requestsPerSecond: Math.round(result.requestsPerSecond),
      statuses: result.statuses,
      errors: result.errors,
      distinctPerKindUsed: perKind,
      rss: { firstMb: first, lastMb: last, maxMb: max, withinTenPercent: within, samples },
    });
    console.log(`written to ${file}`);
    return within && result.errors === 0 ? 0 : 1;
  } finally {
    await server.stop();
    await backend.dispose();
  }
}
