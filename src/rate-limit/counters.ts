import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterCluster,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { CounterState } from './decisions.js';

export interface CounterSpec {
  /** Part of the key, e.g. `client` or `login-failures`. */
  name: string;
  /** The most points a key may consume per window (rate-limiter-flexible rejects beyond it). */
  points: number;
  windowSeconds: number;
}

export interface CounterStoreOptions {
  /** Counters shared by every instance that uses the same Redis and prefix; memory when absent. */
  redis?: Redis | undefined;
  /** Namespaces every key, so deployments (and test runs) sharing a Redis do not collide. */
  prefix: string;
  /**
   * Without Redis, in a node:cluster worker: count in the primary (rate-limiter-flexible's
   * RateLimiterClusterMaster), so every worker on the machine sees the same counts.
   */
  clusterWorker?: boolean;
}

/** A counter as the rate limits and throttles use it. */
export type Counter = RateLimiterAbstract;

/**
 * Makes the counters of one app. In memory they belong to this app alone; in Redis they are
 * shared by every instance. When Redis is unreachable, each counter falls back to an in-memory
 * one (rate-limiter-flexible's insurance limiter), so limits still hold per instance instead of
 * every request failing or every limit vanishing.
 */
export class CounterStore {
  constructor(private readonly options: CounterStoreOptions) {}

  create(spec: CounterSpec): Counter {
    const base = {
      keyPrefix: `${this.options.prefix}:${spec.name}`,
      points: spec.points,
      duration: spec.windowSeconds,
    };
    if (this.options.redis === undefined) {
      return this.options.clusterWorker === true
        ? new RateLimiterCluster({ ...base, timeoutMs: 1_000 })
        : new RateLimiterMemory(base);
    }
    return new RateLimiterRedis({
      ...base,
      storeClient: this.options.redis,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(base),
    });
  }
}

/** A counter's state as the decision functions read it. */
export function stateOf(result: RateLimiterRes | null): CounterState | undefined {
  if (result === null) return undefined;
  return { consumed: result.consumedPoints, msBeforeReset: result.msBeforeNext };
}

/**
 * Consumes one point: the state and whether the key was already over its limit. A store
 * failure that the insurance limiter could not absorb is rethrown as an Error.
 */
export async function consume(counter: Counter, key: string): Promise<{ state: CounterState; limited: boolean }> {
  try {
    const result = await counter.consume(key);
    return { state: { consumed: result.consumedPoints, msBeforeReset: result.msBeforeNext }, limited: false };
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    return { state: { consumed: rejection.consumedPoints, msBeforeReset: rejection.msBeforeNext }, limited: true };
  }
}
