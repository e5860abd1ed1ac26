import type { Redis } from 'ioredis';
import type { Lifecycle } from './lifecycle.js';

export type CheckState = 'ok' | 'down';

export type ReadinessReport =
  | { ready: true; status: 'ok' | 'degraded'; checks: { store: 'ok'; redis?: CheckState } }
  | { ready: false; reason: string; cause?: unknown };

export interface ReadinessDeps {
  store: { ping(): Promise<void> };
  /** Checked when configured; down only degrades, since counters fall back to this process. */
  redis?: Redis | undefined;
  lifecycle?: Lifecycle | undefined;
  /** How long a dependency may take to answer before it counts as down. */
  timeoutMs?: number;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function redisState(redis: Redis, timeoutMs: number): Promise<CheckState> {
  // Not connected: a ping would only wait in ioredis' offline queue.
  if (redis.status !== 'ready') return 'down';
  try {
    await withTimeout(redis.ping(), timeoutMs, 'redis');
    return 'ok';
  } catch {
    return 'down';
  }
}

/** What /readyz reports: every dependency it checked, and whether this instance should get traffic. */
export function createReadiness(deps: ReadinessDeps): () => Promise<ReadinessReport> {
  const timeoutMs = deps.timeoutMs ?? 2_000;
  return async () => {
    if (deps.lifecycle?.stopping === true) return { ready: false, reason: 'shutting down' };
    const [store, redis] = await Promise.all([
      withTimeout(deps.store.ping(), timeoutMs, 'the store').then(
        () => undefined,
        (error: unknown) => error,
      ),
      deps.redis === undefined ? undefined : redisState(deps.redis, timeoutMs),
    ]);
    if (store !== undefined) return { ready: false, reason: 'the store is not answering', cause: store };
    if (redis === undefined) return { ready: true, status: 'ok', checks: { store: 'ok' } };
    return { ready: true, status: redis === 'ok' ? 'ok' : 'degraded', checks: { store: 'ok', redis } };
  };
}
