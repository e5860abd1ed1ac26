import { Client, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type BuiltServer, startBuiltServer } from '../support/built-server.js';
import { basic } from '../support/test-app.js';

let server: BuiltServer | undefined;
afterEach(async () => {
  await server?.cleanup();
  server = undefined;
});

interface Outcome {
  answered: number;
  failures: string[];
}

/** A keep-alive client that calls until an answer says `Connection: close`, as a load balancer's would. */
async function busyClient(
  client: Client,
  path: string,
  headers: Record<string, string>,
  outcome: Outcome,
): Promise<void> {
  for (;;) {
    try {
      const response = await client.request({ method: 'GET', path, headers });
      await response.body.text();
      if (response.statusCode !== 200) outcome.failures.push(`${path}: ${response.statusCode}`);
      outcome.answered += 1;
      if (response.headers.connection === 'close') return;
    } catch (error) {
      outcome.failures.push(`${path}: ${(error as Error & { code?: string }).code ?? (error as Error).message}`);
      return;
    }
  }
}

async function refusesNewConnections(url: string): Promise<boolean> {
  for (let i = 0; i < 50; i += 1) {
    const error = await request(`${url}/healthz`, { reset: true }).then(
      async (response) => {
        await response.body.text();
        return undefined;
      },
      (e: Error & { code?: string }) => e.code,
    );
    // A connection the kernel queued just before the listener closed may be reset instead; try again.
    if (error === 'ECONNREFUSED') return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

describe('graceful shutdown of the built service', () => {
  it('on SIGTERM (twice, as npm forwards it): readiness 503 at once, no new connections, in-flight and keep-alive requests all answered, exit 0', async () => {
    server = await startBuiltServer({ BCRYPT_COST: '12', SHUTDOWN_TIMEOUT_SECONDS: '10' });
    const { url, child } = server;
    const outcome: Outcome = { answered: 0, failures: [] };
    const clients = Array.from({ length: 6 }, () => new Client(url, { keepAliveTimeout: 30_000 }));
    const probe = new Client(url, { keepAliveTimeout: 30_000 });
    const idle = new Client(url, { keepAliveTimeout: 30_000 });
    const signIn = new Client(url, { keepAliveTimeout: 30_000 });
    try {
      expect((await (await probe.request({ method: 'GET', path: '/readyz' })).body.json()) as object).toMatchObject({
        status: 'ok',
      });
      await (await idle.request({ method: 'GET', path: '/healthz' })).body.text();

      const busy = clients.map((client, i) =>
        i % 2 === 0
          ? busyClient(client, '/healthz', {}, outcome)
          : busyClient(client, '/basic/profile', basic('john', 'secret123'), outcome),
      );
      // A sign-in at bcrypt cost 12 takes ~170 ms: in flight when the signal lands. Its connection is
      // opened first, so it is one the server has accepted (a connection still in the kernel's
      // queue when the listener closes is refused, as new connections are meant to be).
      await (await signIn.request({ method: 'GET', path: '/healthz' })).body.text();
      const slowLogin = signIn
        .request({
          method: 'POST',
          path: '/login',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'alice', password: 'password123' }),
        })
        .then(
          async (response) => ({
            status: response.statusCode,
            connection: response.headers.connection,
            body: await response.body.text(),
          }),
          (error: Error & { code?: string }) => ({
            status: 0,
            connection: undefined,
            body: error.code ?? error.message,
          }),
        );
      await new Promise((resolve) => setTimeout(resolve, 40));
      child.kill('SIGTERM');
      await server.waitFor((line) => line.msg === 'gatehouse is stopping: draining connections');
      child.kill('SIGTERM');

      const ready = await probe.request({ method: 'GET', path: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.headers.connection).toBe('close');
      expect(((await ready.body.json()) as { error: { message: string } }).error.message).toBe(
        'Not ready: shutting down',
      );
      expect(await refusesNewConnections(url)).toBe(true);

      expect(await slowLogin).toMatchObject({ status: 200, connection: 'close' });
      await Promise.all(busy);

      expect(await server.exited, JSON.stringify(server.lines.slice(-6))).toBe(0);
      expect(outcome.failures).toEqual([]);
      expect(outcome.answered).toBeGreaterThan(clients.length);
      expect(server.lines.filter((line) => line.msg === 'already stopping')).toHaveLength(1);
      expect(server.lines.find((line) => line.msg === 'gatehouse stopped')).toMatchObject({ drain: 'drained' });
    } finally {
      await Promise.all([...clients, probe, idle, signIn].map((client) => client.close().catch(() => undefined)));
    }
  }, 90_000);
});
