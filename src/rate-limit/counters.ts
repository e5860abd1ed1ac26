import type { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterRedis, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from '../clock.js';
import { ClusterCounterClient, primaryLink } from './cluster-counters.js';
import type { CounterState } from './decisions.js';
import { MemoryCounter } from './memory-counter.js';

export interface CounterSpec {
  /** Part of the key, e.g. `client` or `login-failures`. */
  name: string;
  /** The most points a key may consume per window; `consume` reports beyond it as limited. */
  points: number;
  windowSeconds: number;
}

export interface CounterStoreOptions {
  /** Counters shared by every instance that uses the same Redis and prefix; memory when absent. */
  redis?: Redis | undefined;
  /** Namespaces every key, so deployments (and test runs) sharing a Redis do not collide. */
  prefix: string;
  /** The time memory counters run on: the app's clock, so tests move it instead of sleeping. */
  clock: Clock;
  /**
   * Without Redis, in a node:cluster worker: count in the primary (its ClusterCounterHost), so
   * every worker on the machine sees the same counts.
   */
  clusterWorker?: boolean | undefined;
  /** The most keys each memory counter holds (the fallbacks' too); DEFAULT_MAX_ENTRIES when absent. */
  memoryMaxEntries?: number | undefined;
}

/**
 * A fixed-window count per key: the window opens at the first point and the count is forgotten
 * when it closes. The rate limits and throttles keep their numbers here and decide elsewhere.
 */
export interface Counter {
  readonly points: number;
  get(key: string): Promise<CounterState | undefined>;
  /** Adds points (negative gives them back); opens a window when none is open. */
  add(key: string, points: number): Promise<CounterState>;
  /** Marks the key as over its limit for `seconds`, whatever it held. */
  block(key: string, seconds: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * Makes the counters of one app. In memory they belong to this app alone and run on its clock.
 * Shared counters — in Redis for every instance, or in the cluster primary for the workers of
 * one machine — run on the clock of whoever keeps them (Redis's key TTLs, the primary's), the
 * one clock all their users agree on; when that store cannot be reached each falls back to a
 * memory counter, so limits still hold per process instead of every request failing.
 */
export class CounterStore {
  /** Made on the first counter that needs it: one IPC listener per app, not per counter. */
  private primary: ClusterCounterClient | undefined;

  constructor(private readonly options: CounterStoreOptions) {}

  create(spec: CounterSpec): Counter {
    const memory = new MemoryCounter(spec, this.options.clock, { maxEntries: this.options.memoryMaxEntries });
    const { redis, prefix } = this.options;
    if (redis !== undefined) {
      // Fail at once when the connection is down, so the fallback answers instead of a queue.
      const limiter = new RateLimiterRedis({
        keyPrefix: `${prefix}:${spec.name}`,
        points: spec.points,
        duration: spec.windowSeconds,
        storeClient: redis,
        rejectIfRedisNotReady: true,
      });
      return new SharedCounter(new LimiterCounter(limiter, spec.points, readCountOn(redis)), memory);
    }
    if (this.options.clusterWorker === true) {
      this.primary ??= new ClusterCounterClient(primaryLink(), PRIMARY_TIMEOUT_MS);
      return new SharedCounter(this.primary.counter({ ...spec, name: `${prefix}:${spec.name}` }), memory);
    }
    return memory;
  }
}

/** The primary answers in well under a millisecond; a second means it is gone or stuck. */
const PRIMARY_TIMEOUT_MS = 1_000;

export interface Consumed {
  state: CounterState;
  /** The key is over its limit now. */
  limited: boolean;
}

/**
 * Consumes one point: the state and whether the key is now over its limit. Atomic in memory
 * (no await between read and write) and in Redis (one script), so parallel callers each see
 * their own count. A store failure the fallback could not absorb is rethrown.
 */
export async function consume(counter: Counter, key: string): Promise<Consumed> {
  const state = await counter.add(key, 1);
  return { state, limited: state.consumed > counter.points };
}

/** A key's count and milliseconds to live, read atomically by one script. */
type ReadCount = (key: string) => Promise<[string | null, number]>;
const READ_COUNT_COMMAND = 'gatehouseReadCount';

/**
 * rate-limiter-flexible's `get` reads a count as MULTI, GET, PTTL, EXEC: four commands and a
 * transaction, about 60 µs of this process's CPU a read, and the throttle reads three counts on
 * every Basic request. One script reads the same two values, as atomically, for about 16 µs.
 * Defined once per client; ioredis sends it by its SHA, and loads it again when Redis has lost it.
 */
function readCountOn(redis: Redis): ReadCount {
  if (!(READ_COUNT_COMMAND in redis))
    redis.defineCommand(READ_COUNT_COMMAND, {
      numberOfKeys: 1,
      lua: "return {redis.call('get', KEYS[1]), redis.call('pttl', KEYS[1])}",
    });
  const command = (redis as unknown as Record<typeof READ_COUNT_COMMAND, ReadCount>)[READ_COUNT_COMMAND];
  return async (key) => {
    // As the limiter does (rejectIfRedisNotReady): fail at once, so the fallback answers.
    if (redis.status !== 'ready') throw new Error('Redis connection is not ready');
    return command.call(redis, key);
  };
}

/** rate-limiter-flexible in Redis: its script counts and sets the TTL atomically. */
class LimiterCounter implements Counter {
  constructor(
    private readonly limiter: RateLimiterAbstract,
    readonly points: number,
    private readonly readCount: ReadCount,
  ) {}

  /** What the limiter's own `get` answers, read in one command (readCountOn). */
  async get(key: string): Promise<CounterState | undefined> {
    const [consumed, msToLive] = await this.readCount(this.limiter.getKey(key));
    return consumed === null ? undefined : { consumed: Number.parseInt(consumed, 10), msBeforeReset: msToLive };
  }

  async add(key: string, points: number): Promise<CounterState> {
    return stateOf(points >= 0 ? await this.limiter.penalty(key, points) : await this.limiter.reward(key, -points));
  }

  async block(key: string, seconds: number): Promise<void> {
    await this.limiter.block(key, seconds);
  }

  async delete(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}

/** A shared counter that, while its store cannot be reached, counts in this process instead. */
class SharedCounter implements Counter {
  constructor(
    private readonly shared: Counter,
    private readonly fallback: MemoryCounter,
  ) {}

  get points(): number {
    return this.fallback.points;
  }

  get(key: string): Promise<CounterState | undefined> {
    return this.orFallback((counter) => counter.get(key));
  }

  add(key: string, points: number): Promise<CounterState> {
    return this.orFallback((counter) => counter.add(key, points));
  }

  block(key: string, seconds: number): Promise<void> {
    return this.orFallback((counter) => counter.block(key, seconds));
  }

  delete(key: string): Promise<void> {
    return this.orFallback((counter) => counter.delete(key));
  }

  private async orFallback<T>(operation: (counter: Counter) => Promise<T>): Promise<T> {
    try {
      return await operation(this.shared);
    } catch {
      return operation(this.fallback);
    }
  }
}

function stateOf(result: RateLimiterRes): CounterState {
  return { consumed: result.consumedPoints, msBeforeReset: result.msBeforeNext };
}
