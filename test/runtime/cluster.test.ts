import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type BuiltServer, servedBy, startBuiltServer } from '../support/built-server.js';

let server: BuiltServer | undefined;
afterEach(async () => {
  await server?.cleanup();
  server = undefined;
});

interface Served {
  status: number;
  json: unknown;
  setCookie: string[];
  pid: number;
}

/**
 * One request on a connection of its own. The cluster hands each new connection to the next
 * worker in turn, and each worker's request log line carries its pid (pino's `pid`), so the
 * X-Request-Id of an answer says which worker served it, without the answer itself saying so.
 */
async function call(
  running: BuiltServer,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<Served> {
  const response = await request(`${running.url}${path}`, {
    method,
    reset: true,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  const setCookie = response.headers['set-cookie'];
  return {
    status: response.statusCode,
    json: text === '' ? undefined : JSON.parse(text),
    setCookie: Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie],
    pid: await servedBy(running, String(response.headers['x-request-id'])),
  };
}

/** Calls until each of `pids` has answered once (round-robin gets there in a few calls). */
async function throughEach(pids: number[], send: () => Promise<Served>): Promise<Served[]> {
  const answers: Served[] = [];
  for (let i = 0; i < 20 && !pids.every((pid) => answers.some((a) => a.pid === pid)); i += 1)
    answers.push(await send());
  expect(new Set(answers.map((a) => a.pid))).toEqual(new Set(pids));
  return answers;
}

describe('WEB_CONCURRENCY=2: two workers sharing one SQLite store', () => {
  it('a sign-out through one worker is refused through the other; throttles count across workers; metrics cover both; SIGTERM exits 0', async () => {
    server = await startBuiltServer({ WEB_CONCURRENCY: '2', METRICS_PORT: '0', LOGIN_IP_MAX_FAILURES: '2' }, 2);
    const running = server;
    const workers = running.lines
      .filter((line) => line.msg === 'gatehouse is listening')
      .map((line) => Number(line.pid));
    expect(new Set(workers).size).toBe(2);
    expect(workers).not.toContain(running.child.pid);
    const metricsUrl = String(
      (await running.waitFor((line) => String(line.msg).startsWith('metrics of every worker'))).url,
    );

    const login = await call(running, 'POST', '/login', {}, { username: 'alice', password: 'password123' });
    expect(login.status).toBe(200);
    const cookie = login.setCookie.map((c) => c.split(';')[0]).join('; ');
    const dashboard = (): Promise<Served> => call(running, 'GET', '/dashboard', { cookie });

    const before = await throughEach(workers, dashboard);
    expect(before.map((a) => a.status)).toEqual(before.map(() => 200));

    const logout = await call(running, 'POST', '/logout', {
      cookie,
      'x-csrf-token': (login.json as { csrf_token: string }).csrf_token,
    });
    expect(logout.status).toBe(200);
    const other = workers.find((pid) => pid !== logout.pid) ?? 0;
    const after = await throughEach([logout.pid, other], dashboard);
    expect(after.map((a) => a.status)).toEqual(after.map(() => 401));

    // Without Redis the primary keeps the throttle's counts for both workers (the address limit: its
    // one-hour window cannot run out between two requests on a slow machine, as a 1 s pair block can).
    const guesses: Served[] = [];
    for (let i = 0; i < 3; i += 1)
      guesses.push(await call(running, 'POST', '/login', {}, { username: 'bob', password: 'wrong-guess' }));
    expect(guesses.map((g) => g.status)).toEqual([401, 401, 429]);
    expect(new Set(guesses.map((g) => g.pid)).size).toBe(2);

    const scrape = await request(`${metricsUrl}`);
    const text = await scrape.body.text();
    const dashboards = text
      .split('\n')
      .filter((line) => line.startsWith('gatehouse_http_requests_total{operation="getDashboard"'));
    const total = (status: number): number =>
      dashboards
        .filter((line) => line.includes(`status="${status}"`))
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    expect(total(200)).toBe(before.length);
    expect(total(401)).toBe(after.length);

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.lines.filter((line) => line.msg === 'gatehouse stopped')).toHaveLength(2);
  }, 90_000);

  it('the primary starts another worker when one dies unexpectedly', async () => {
    server = await startBuiltServer({ WEB_CONCURRENCY: '2' }, 2);
    const running = server;
    const first = running.lines.find((line) => line.msg === 'gatehouse is listening');
    process.kill(Number(first?.pid), 'SIGKILL');
    await running.waitFor((line) => line.msg === 'worker died unexpectedly: starting another');
    await running.waitFor(
      (line) => line.msg === 'gatehouse is listening' && running.lines.filter((l) => l.msg === line.msg).length >= 3,
    );
    expect((await call(running, 'GET', '/healthz')).status).toBe(200);
    running.child.kill('SIGINT');
    expect(await running.exited).toBe(0);
  }, 90_000);
});
