import { type ChildProcess, fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { BenchServerMessage, BenchServerOptions } from './bench-server.js';

/**
 * `npm run bench`: autocannon against Gatehouse on an ephemeral loopback port, a few seconds
 * per scenario (BENCH_SECONDS, default 5), then a table. Speed and memory are measured here,
 * never in a timed unit test.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const serverScript = fileURLToPath(new URL('./bench-server.js', import.meta.url));

interface Server {
  url: string;
  child: ChildProcess;
}

interface Row {
  scenario: string;
  'req/s': number;
  'p50 ms': number;
  'p99 ms': number;
  requests: number;
  'non-2xx': number;
  errors: number;
  'RSS MB': number;
  'peak RSS MB': number;
}

function nextMessage<T extends BenchServerMessage['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<BenchServerMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: BenchServerMessage): void => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message as Extract<BenchServerMessage, { type: T }>);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
  });
}

async function startServer(options: BenchServerOptions): Promise<Server> {
  const child = fork(serverScript, [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await nextMessage(child, 'listening');
  return { url: `http://127.0.0.1:${port}`, child };
}

async function stopServer(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.send('stop');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function measure(
  scenario: string,
  server: Server,
  path: string,
  headers: Record<string, string> = {},
): Promise<Row> {
  // One request first, so the table shows steady state (a warm Basic cache) rather than the first miss.
  const warmUp = await fetch(`${server.url}${path}`, { headers });
  if (warmUp.status !== 200) throw new Error(`${scenario}: warm-up answered ${warmUp.status}`);
  const result = await autocannon({
    url: `${server.url}${path}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers,
  });
  server.child.send('rss');
  const memory = await nextMessage(server.child, 'rss');
  const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);
  return {
    scenario,
    'req/s': Math.round(result.requests.average),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    requests: result.requests.total,
    'non-2xx': result.non2xx,
    errors: result.errors + result.timeouts,
    'RSS MB': mb(memory.rss),
    'peak RSS MB': mb(memory.maxRss),
  };
}

async function sessionCookie(url: string): Promise<string> {
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'password123' }),
  });
  if (response.status !== 200) throw new Error(`login answered ${response.status}`);
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

const basicJohn = { authorization: `Basic ${Buffer.from('john:secret123').toString('base64')}` };

async function main(): Promise<void> {
  const load = (): string =>
    loadavg()
      .map((n) => n.toFixed(1))
      .join(' ');
  console.log(
    `gatehouse bench: ${SECONDS} s per scenario, ${CONNECTIONS} connections, bcrypt cost 12, loopback, ${cpus().length} CPUs, load ${load()}\n`,
  );
  const rows: Row[] = [];

  const cached = await startServer({ basicCacheSeconds: 60 });
  try {
    rows.push(await measure('GET /healthz (no credentials)', cached, '/healthz'));
    rows.push(await measure('Basic, with the cache', cached, '/basic/profile', basicJohn));
    rows.push(await measure('API key (X-API-Key)', cached, '/apikey/data', { 'x-api-key': 'sk_test_123' }));
    rows.push(await measure('Session cookie', cached, '/dashboard', { cookie: await sessionCookie(cached.url) }));
  } finally {
    await stopServer(cached);
  }

  const uncached = await startServer({ basicCacheSeconds: 0 });
  try {
    rows.push(await measure('Basic, without the cache', uncached, '/basic/profile', basicJohn));
  } finally {
    await stopServer(uncached);
  }

  console.table(rows);
  console.log(`load average after: ${load()} (other work on the machine lowers every number)`);
  const failed = rows.filter((row) => row['non-2xx'] > 0 || row.errors > 0);
  if (failed.length > 0) {
    console.error(`bench: unexpected failures in ${failed.map((row) => row.scenario).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
