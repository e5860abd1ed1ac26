import { afterEach, describe, expect, it } from 'vitest';
import { Lifecycle } from '../../src/runtime/lifecycle.js';
import { announceSkip } from '../support/databases.js';
import { expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';

const redisUrl = process.env.TEST_REDIS_URL;
if (redisUrl === undefined) announceSkip('readiness with a live Redis', 'TEST_REDIS_URL');

const opened: TestApp[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((app) => app.close().catch(() => undefined)));
});

async function app(options: Parameters<typeof startTestApp>[0] = {}): Promise<TestApp> {
  const started = await startTestApp({ demoData: false, ...options });
  opened.push(started);
  return started;
}

describe('GET /readyz names what it checked', () => {
  it('200 with only the store checked when no Redis is configured', async () => {
    const response = await (await app()).call('GET', '/readyz');
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'ok', checks: { store: 'ok' } });
  });

  it.skipIf(redisUrl === undefined)('200 with the store and Redis checked when Redis answers', async () => {
    const response = await (await app({ redisUrl })).call('GET', '/readyz');
    expect(response.json).toEqual({ status: 'ok', checks: { store: 'ok', redis: 'ok' } });
  });

  it('200 degraded with Redis down: the service keeps answering, counting in this process', async () => {
    const response = await (await app({ redisUrl: 'redis://127.0.0.1:1' })).call('GET', '/readyz');
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'degraded', checks: { store: 'ok', redis: 'down' } });
  });

  it('503 naming the store when it does not answer', async () => {
    const doomed = await app();
    await doomed.store.close();
    const response = await doomed.call('GET', '/readyz');
    expectEnvelope(response, 503, 'unavailable_error', 'Not ready: the store is not answering');
  });

  it('503 from the moment the process begins to stop, while everything else still answers', async () => {
    const lifecycle = new Lifecycle();
    const stopping = await app({ lifecycle });
    expect((await stopping.call('GET', '/readyz')).status).toBe(200);
    expect(lifecycle.beginStopping()).toBe(true);
    expectEnvelope(await stopping.call('GET', '/readyz'), 503, 'unavailable_error', 'Not ready: shutting down');
    expect((await stopping.call('GET', '/healthz')).status).toBe(200);
    expect(lifecycle.beginStopping()).toBe(false);
  });
});
