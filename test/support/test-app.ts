import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { createApp } from '../../src/app.js';
import { type Config, testConfig } from '../../src/config/config.js';
import { loadContract } from '../../src/contract.js';
import { createHttpServer, DEFAULT_SERVER_LIMITS, listen, type ServerLimits } from '../../src/http/listen.js';
import { createLogger } from '../../src/http/request-logger.js';
import type { ServiceMetrics } from '../../src/metrics/service-metrics.js';
import { docsFile, specFile, webDir } from '../../src/paths.js';
import type { Lifecycle } from '../../src/runtime/lifecycle.js';
import { loadDemoData } from '../../src/store/demo-data.js';
import { openStore, type Store } from '../../src/store/store.js';
import { operationMatcher, recordObservation } from './contract-coverage.js';
import { CountingHasher } from './counting-hasher.js';
import { ManualClock } from './manual-clock.js';

export interface TestApp {
  url: string;
  store: Store;
  clock: ManualClock;
  config: Config;
  /** Real bcrypt, counted: `app.hasher.compares` lists the cost of every compare. */
  hasher: CountingHasher;
  /** Every log line the app wrote, as raw JSON text. */
  logs: string[];
  call(method: string, path: string, options?: CallOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface CallOptions {
  headers?: Record<string, string>;
  /** Sent as JSON unless it is already a string. */
  body?: unknown;
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export interface TestAppOptions {
  config?: Partial<Config>;
  demoData?: boolean;
  databaseUrl?: string;
  /** Keep rate-limit and throttle counters in this Redis (apps sharing it and the prefix share counters). */
  redisUrl?: string;
  counterPrefix?: string;
  serverLimits?: Partial<ServerLimits>;
  /** The built Redoc page to serve at /docs. */
  docsFile?: string;
  /** Lets a test tell the app it is stopping. */
  lifecycle?: Lifecycle;
  /** Counts into this app's own Prometheus registry. */
  metrics?: ServiceMetrics;
}

/** A fresh app on its own in-memory store and clock, listening on an ephemeral port. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = testConfig({ logLevel: 'info', ...options.config });
  const store = await openStore(options.databaseUrl ?? config.databaseUrl);
  const clock = new ManualClock();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const hasher = new CountingHasher(config.bcryptCost);
  if (options.demoData ?? true) await loadDemoData(store, hasher, clock, logger);
  const redis = options.redisUrl === undefined ? undefined : new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  // Connection errors are expected in the test of an unreachable Redis; the counters fall back to memory.
  redis?.on('error', () => {});
  // Until Redis is ready the counters fall back to memory; wait, so the first requests count in Redis.
  await redis?.ping().catch(() => undefined);
  const app = createApp({
    config,
    store,
    clock,
    logger,
    hasher,
    contract: loadContract(specFile),
    docsFile: options.docsFile ?? docsFile,
    webDir,
    validateResponses: true,
    redis,
    counterPrefix: options.counterPrefix ?? 'gatehouse-test',
    lifecycle: options.lifecycle,
    metrics: options.metrics,
  });
  // Contract coverage: each answer is recorded against the operation its method and path name.
  const operationOf = operationMatcher(specFile);
  const recorded: RequestListener = (req, res) => {
    res.once('finish', () => {
      const operationId = operationOf(req.method ?? '', req.url ?? '');
      if (operationId !== undefined) recordObservation(operationId, res.statusCode);
    });
    app(req, res);
  };
  const server = createHttpServer(recorded, { ...DEFAULT_SERVER_LIMITS, ...options.serverLimits });
  const address: AddressInfo = await listen(server, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${address.port}`;

  return {
    url,
    store,
    clock,
    config,
    hasher,
    logs,
    async call(method, path, { headers = {}, body } = {}) {
      const hasBody = body !== undefined;
      const response = await request(`${url}${path}`, {
        method: method as never,
        headers: { ...(hasBody && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers },
        body: hasBody ? (typeof body === 'string' ? body : JSON.stringify(body)) : undefined,
      });
      const text = await response.body.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.statusCode, headers: response.headers, text, json };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      redis?.disconnect();
    },
  };
}

export function basic(username: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}` };
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/** The `name=value` pairs of Set-Cookie, ready to send back as a Cookie header. */
export function cookiesFrom(response: TestResponse): string {
  const setCookie = response.headers['set-cookie'];
  const list = Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie];
  return list.map((cookie) => cookie.split(';')[0]).join('; ');
}

export function setCookieHeaders(response: TestResponse): string[] {
  const setCookie = response.headers['set-cookie'];
  return Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie];
}

/** Asserts the error envelope of DESIGN.md section 3 and returns its body. */
export function expectEnvelope(response: TestResponse, status: number, type: string, message?: string): void {
  const error = response.json?.error;
  const problems: string[] = [];
  if (response.status !== status) problems.push(`status ${response.status}, expected ${status}`);
  if (error?.type !== type) problems.push(`type ${error?.type}, expected ${type}`);
  if (message !== undefined && error?.message !== message)
    problems.push(`message "${error?.message}", expected "${message}"`);
  if (error?.status_code !== status) problems.push(`status_code ${error?.status_code}`);
  if (typeof error?.request_id !== 'string' || error.request_id !== response.headers['x-request-id'])
    problems.push('request_id missing or not the X-Request-Id header');
  if (problems.length > 0) throw new Error(`${problems.join('; ')}\nbody: ${response.text.slice(0, 500)}`);
}
