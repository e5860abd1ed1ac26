import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { request } from 'undici';
import type { operations } from '../../generated/openapi.js';
import { createApp } from '../../src/app.js';
import { type Config, testConfig } from '../../src/config/config.js';
import type { ErrorEnvelope } from '../../src/errors/api-error.js';
import { createHttpServer, DEFAULT_SERVER_LIMITS, listen, type ServerLimits } from '../../src/http/listen.js';
import { createLogger } from '../../src/http/request-logger.js';
import type { ServiceMetrics } from '../../src/metrics/service-metrics.js';
import type { OperationId, RequestBody } from '../../src/operations/operation.js';
import { createRedisClient } from '../../src/rate-limit/redis-client.js';
import type { Lifecycle } from '../../src/runtime/lifecycle.js';
import { loadDemoData } from '../../src/store/demo-data.js';
import { openStore, type Store } from '../../src/store/store.js';
import { recordObservation } from './contract-coverage.js';
import { CountingHasher } from './counting-hasher.js';
import { ManualClock } from './manual-clock.js';
import { contractOperation, operationFor } from './spec-model.js';
import { type BodyOf, bodyOf, type DocumentedStatus } from './typed-responses.js';

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
  /** Calls one operation by its operationId, at the method and path openapi.yaml gives it. */
  callOp<Op extends OperationId>(operationId: Op, request?: OperationRequest<Op>): Promise<OperationResponse<Op>>;
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
  /** The parsed body; `bodyOf` and `errorOf` (typed-responses.ts) give it its contract type. */
  json: unknown;
  /** The operation the method and path name in openapi.yaml. */
  operationId: OperationId | undefined;
}

/** An operation's request as the contract types it. */
export interface OperationRequest<Op extends OperationId> {
  params?: operations[Op]['parameters']['path'];
  query?: operations[Op]['parameters']['query'];
  body?: RequestBody<Op>;
  headers?: Record<string, string>;
}

export interface OperationResponse<Op extends OperationId> extends TestResponse {
  /** The JSON body of a documented status, typed from the contract; throws on any other status. */
  body<S extends DocumentedStatus<Op>>(status: S): BodyOf<Op, S>;
}

/** The operation's path with its parameters filled in, and its query string. */
function operationPath(template: string, params: object = {}, query: object = {}): string {
  let path = template;
  for (const [name, value] of Object.entries(params))
    path = path.replace(`{${name}}`, encodeURIComponent(String(value)));
  const search = new URLSearchParams(
    Object.entries(query).map(([name, value]): [string, string] => [name, String(value)]),
  ).toString();
  return search === '' ? path : `${path}?${search}`;
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
  /** The port to listen on (default: any free one), for a test whose config must name it (WebAuthn origins). */
  port?: number;
  /** Lets a test tell the app it is stopping. */
  lifecycle?: Lifecycle;
  /** Counts into this app's own Prometheus registry. */
  metrics?: ServiceMetrics;
  /**
   * Whether answers count toward contract coverage (default yes). A generated request that
   * happens to reach a status is no test of it: the fuzz pass does not count.
   */
  countsTowardCoverage?: boolean;
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
  const redis = options.redisUrl === undefined ? undefined : createRedisClient(options.redisUrl);
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
    redis,
    counterPrefix: options.counterPrefix ?? 'gatehouse-test',
    docsFile: options.docsFile,
    lifecycle: options.lifecycle,
    metrics: options.metrics,
    validateResponses: true,
  });
  // Contract coverage: each answer is recorded against the operation its method and path name.
  const recorded: RequestListener = (req, res) => {
    if (options.countsTowardCoverage === false) return app(req, res);
    res.once('finish', () => {
      const operationId = operationFor(req.method ?? '', req.url ?? '')?.operationId;
      if (operationId !== undefined) recordObservation(operationId, res.statusCode);
    });
    app(req, res);
  };
  const server = createHttpServer(recorded, { ...DEFAULT_SERVER_LIMITS, ...options.serverLimits }, app);
  const address: AddressInfo = await listen(server, options.port ?? 0, '127.0.0.1');
  const url = `http://127.0.0.1:${address.port}`;

  const testApp: TestApp = {
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
      const operationId = operationFor(method, path)?.operationId as OperationId | undefined;
      return { status: response.statusCode, headers: response.headers, text, json, operationId };
    },
    async callOp(operationId, { params, query, body, headers } = {}) {
      const op = contractOperation(operationId);
      const response = await testApp.call(op.method, operationPath(op.template, params, query), { headers, body });
      return { ...response, body: (status) => bodyOf(response, operationId, status) };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      redis?.disconnect();
    },
  };
  return testApp;
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
  const error = (response.json as Partial<ErrorEnvelope> | undefined)?.error;
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
