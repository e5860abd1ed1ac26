import { once } from 'node:events';
import type { Server } from 'node:http';
import { register as globalRegistry, Registry } from 'prom-client';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from '../../src/http/listen.js';
import { createMetricsServer } from '../../src/metrics/metrics-server.js';
import { ServiceMetrics } from '../../src/metrics/service-metrics.js';
import { openStore } from '../../src/store/store.js';
import { announceSkip, freshDatabase, testDatabases } from '../support/databases.js';
import { basic, bearer, startTestApp, type TestApp, type TestAppOptions } from '../support/test-app.js';

const opened: Array<{ close(): Promise<unknown> | unknown }> = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

async function instrumented(options: TestAppOptions = {}): Promise<{ app: TestApp; scrape: () => Promise<string> }> {
  const registry = new Registry();
  const metrics = new ServiceMetrics({ registry });
  const app = await startTestApp({ ...options, metrics });
  opened.push(app);
  const server: Server = createMetricsServer(registry, (error) => {
    throw error;
  });
  const address = await listen(server, 0, '127.0.0.1');
  opened.push({ close: () => new Promise((resolve) => server.close(resolve)) });
  const scrape = async (): Promise<string> => {
    const response = await request(`http://127.0.0.1:${address.port}/metrics`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    return response.body.text();
  };
  return { app, scrape };
}

/** The value of one sample line, e.g. `name{a="b"} 3`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics, scraped after known traffic', () => {
  it('count requests by operation, method and status, and time them by operation', async () => {
    const { app, scrape } = await instrumented();
    for (let i = 0; i < 3; i += 1) await app.call('GET', '/healthz');
    await app.call('GET', '/basic/profile', { headers: basic('john', 'secret123') });
    await app.call('GET', '/no-such-route');
    const text = await scrape();
    expect(sample(text, 'gatehouse_http_requests_total{operation="getHealth",method="GET",status="200"}')).toBe(3);
    expect(sample(text, 'gatehouse_http_requests_total{operation="getBasicProfile",method="GET",status="200"}')).toBe(
      1,
    );
    expect(sample(text, 'gatehouse_http_requests_total{operation="unmatched",method="GET",status="404"}')).toBe(1);
    expect(sample(text, 'gatehouse_http_request_duration_seconds_count{operation="getHealth"}')).toBe(3);
    expect(sample(text, 'gatehouse_http_request_duration_seconds_bucket{le="+Inf",operation="getHealth"}')).toBe(3);
  });

  it('count authentication outcomes by scheme and reason, and throttle refusals', async () => {
    const { app, scrape } = await instrumented({ config: { loginMaxFailures: 2 } });
    await app.call('GET', '/basic/profile', { headers: basic('john', 'secret123') });
    await app.call('GET', '/basic/profile', { headers: basic('john', 'wrong-password') });
    await app.call('GET', '/basic/admin', { headers: basic('john', 'secret123') });
    await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') });
    await app.call('POST', '/apikey/create', { headers: { 'x-api-key': 'sk_live_456' }, body: {} });
    await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    for (let i = 0; i < 3; i += 1) await app.call('POST', '/login', { body: { username: 'bob', password: 'nope' } });
    const text = await scrape();
    const auth = (scheme: string, reason: string): number | undefined =>
      sample(text, `gatehouse_authentications_total{scheme="${scheme}",reason="${reason}"}`);
    expect(auth('basicAuth', 'ok')).toBe(1);
    expect(auth('basicAuth', 'invalid')).toBe(1);
    expect(auth('basicAuth', 'forbidden')).toBe(1);
    expect(auth('bearerAuth', 'ok')).toBe(1);
    expect(auth('apiKey', 'forbidden')).toBe(1);
    expect(auth('login', 'ok')).toBe(1);
    expect(auth('login', 'invalid')).toBe(2);
    expect(auth('login', 'throttled')).toBe(1);
    expect(sample(text, 'gatehouse_refusals_total{kind="throttle"}')).toBe(1);
  });

  it('count rate-limit refusals', async () => {
    const { app, scrape } = await instrumented({ config: { rateLimitMax: 2 } });
    for (let i = 0; i < 3; i += 1) expect((await app.call('GET', '/dashboard')).status).toBe(i < 2 ? 401 : 429);
    expect(sample(await scrape(), 'gatehouse_refusals_total{kind="rate_limit"}')).toBe(1);
  });

  it('belong to their app: two apps never share counts, and the global registry stays empty', async () => {
    const first = await instrumented();
    const second = await instrumented();
    await first.app.call('GET', '/healthz');
    await first.app.call('GET', '/healthz');
    await second.app.call('GET', '/healthz');
    const series = 'gatehouse_http_requests_total{operation="getHealth",method="GET",status="200"}';
    expect(sample(await first.scrape(), series)).toBe(2);
    expect(sample(await second.scrape(), series)).toBe(1);
    expect(await globalRegistry.metrics()).not.toContain('gatehouse_');
  });

  it('report Redis as down while it is unreachable', async () => {
    const registry = new Registry();
    const { Redis } = await import('ioredis');
    const redis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0 });
    opened.push({ close: () => redis.disconnect() });
    new ServiceMetrics({ registry, redis });
    expect(sample(await registry.metrics(), 'gatehouse_redis_up')).toBe(0);
  });

  it('answer 404 off /metrics', async () => {
    const server = createMetricsServer(new Registry(), () => {});
    const address = await listen(server, 0, '127.0.0.1');
    opened.push({ close: () => new Promise((resolve) => server.close(resolve)) });
    expect((await request(`http://127.0.0.1:${address.port}/`)).statusCode).toBe(404);
  });
});

const redisUrl = process.env.TEST_REDIS_URL;
if (redisUrl === undefined) announceSkip('Redis up/down in the metrics', 'TEST_REDIS_URL');

describe.skipIf(redisUrl === undefined)('the Redis gauge against a real Redis', () => {
  it('reads 1 while connected and 0 once the connection is gone', async () => {
    const registry = new Registry();
    const { Redis } = await import('ioredis');
    const redis = new Redis(redisUrl ?? '', { lazyConnect: true, maxRetriesPerRequest: 0 });
    await redis.connect();
    new ServiceMetrics({ registry, redis });
    expect(sample(await registry.metrics(), 'gatehouse_redis_up')).toBe(1);
    const ended = once(redis, 'end');
    redis.disconnect();
    await ended;
    expect(sample(await registry.metrics(), 'gatehouse_redis_up')).toBe(0);
  });
});

const postgres = testDatabases().find((database) => database.name === 'postgres');
if (postgres?.url === undefined) announceSkip('store pool metrics on PostgreSQL', 'TEST_DATABASE_URL');

describe.skipIf(postgres?.url === undefined)('metrics of the PostgreSQL pool', () => {
  it('report connections in use, idle and waiting, read at scrape time', async () => {
    const fresh = await freshDatabase(postgres ?? { name: 'postgres', url: undefined });
    const store = await openStore(fresh.url);
    opened.push({ close: () => fresh.drop() }, store);
    const registry = new Registry();
    new ServiceMetrics({ registry, pool: store.handle.pool });
    await store.ping();
    const text = await registry.metrics();
    expect(sample(text, 'gatehouse_store_pool_in_use')).toBe(0);
    expect(sample(text, 'gatehouse_store_pool_idle')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'gatehouse_store_pool_waiting')).toBe(0);
  });
});
