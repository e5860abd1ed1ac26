import { METHODS } from 'node:http';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client';
import type { AuthReason, AuthScheme, MetricHooks, PurgedKind, Refusal } from './hooks.js';

export interface ServiceMetricsDeps {
  /** This app's own registry: never prom-client's global one, so two apps never share counts. */
  registry: Registry;
  /** The PostgreSQL pool, read at scrape time; absent on SQLite. */
  pool?: pg.Pool | undefined;
  redis?: Redis | undefined;
  /** Node's process metrics (CPU, memory, event loop, GC); off in tests that count exactly. */
  processMetrics?: boolean;
}

/** Bucket edges in seconds: a warm credential check is ~1 ms, a bcrypt compare at cost 12 ~170 ms. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface OperationSeries {
  duration: Histogram.Internal<'operation'>;
  /** Keyed by status * 64 + the method's index in http.METHODS: no string built per request. */
  requests: Map<number, Counter.Internal>;
}

/**
 * Every metric the service exports, on one registry. Label children are made once per
 * operation, method and status (and per scheme and reason) and kept, so a request costs one
 * counter increment and one histogram observation, with no labels hashed.
 */
export class ServiceMetrics implements MetricHooks {
  readonly registry: Registry;
  private readonly requests: Counter<'operation' | 'method' | 'status'>;
  private readonly duration: Histogram<'operation'>;
  private readonly auth: Counter<'scheme' | 'reason'>;
  private readonly refusals: Counter<'kind'>;
  private readonly purges: Counter<'kind'>;
  private readonly series = new Map<string, OperationSeries>();
  private readonly authCounters = new Map<AuthScheme, Map<AuthReason, Counter.Internal>>();

  constructor(deps: ServiceMetricsDeps) {
    const registers = [deps.registry];
    this.registry = deps.registry;
    this.requests = new Counter({
      name: 'gatehouse_http_requests_total',
      help: 'Requests answered, by the contract operation they matched (unmatched: none), method and status',
      labelNames: ['operation', 'method', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'Time from the request reaching the app to the end of its answer, by operation',
      labelNames: ['operation'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.auth = new Counter({
      name: 'gatehouse_authentications_total',
      help: 'Credentials presented, by scheme (login: POST /login) and reason (ok, invalid, throttled, forbidden, unavailable)',
      labelNames: ['scheme', 'reason'],
      registers,
    });
    this.refusals = new Counter({
      name: 'gatehouse_refusals_total',
      help: 'Requests refused by the per-client rate limit (rate_limit) and password attempts held back by the brute-force throttle (throttle)',
      labelNames: ['kind'],
      registers,
    });
    this.purges = new Counter({
      name: 'gatehouse_retention_purged_total',
      help: 'Rows removed by retention: revoked and expired sessions, audit events past AUDIT_RETENTION_DAYS',
      labelNames: ['kind'],
      registers,
    });
    const { pool, redis } = deps;
    if (pool !== undefined) {
      const poolGauge = (name: string, help: string, read: () => number): void => {
        new Gauge({
          name,
          help,
          registers,
          collect() {
            this.set(read());
          },
        });
      };
      poolGauge(
        'gatehouse_store_pool_in_use',
        'PostgreSQL connections running a query',
        () => pool.totalCount - pool.idleCount,
      );
      poolGauge('gatehouse_store_pool_idle', 'PostgreSQL connections open and idle', () => pool.idleCount);
      poolGauge('gatehouse_store_pool_waiting', 'Queries waiting for a PostgreSQL connection', () => pool.waitingCount);
    }
    if (redis !== undefined) {
      new Gauge({
        name: 'gatehouse_redis_up',
        help: '1 while Redis is connected; 0 while counters fall back to this process',
        registers,
        collect() {
          this.set(redis.status === 'ready' ? 1 : 0);
        },
      });
    }
    if (deps.processMetrics === true) collectDefaultMetrics({ register: deps.registry });
  }

  observeRequest(operation: string, method: string, status: number, seconds: number): void {
    let series = this.series.get(operation);
    if (series === undefined) {
      series = { duration: this.duration.labels(operation), requests: new Map() };
      this.series.set(operation, series);
    }
    series.duration.observe(seconds);
    const key = status * 64 + METHODS.indexOf(method) + 1;
    let counter = series.requests.get(key);
    if (counter === undefined) {
      counter = this.requests.labels(operation, method, String(status));
      series.requests.set(key, counter);
    }
    counter.inc();
  }

  authOutcome(scheme: AuthScheme, reason: AuthReason): void {
    let byReason = this.authCounters.get(scheme);
    if (byReason === undefined) {
      byReason = new Map();
      this.authCounters.set(scheme, byReason);
    }
    let counter = byReason.get(reason);
    if (counter === undefined) {
      counter = this.auth.labels(scheme, reason);
      byReason.set(reason, counter);
    }
    counter.inc();
  }

  refused(kind: Refusal): void {
    this.refusals.inc({ kind });
  }

  purged(kind: PurgedKind, count: number): void {
    this.purges.inc({ kind }, count);
  }
}
