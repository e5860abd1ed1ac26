import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { MetricHooks } from '../metrics/hooks.js';
import type { Store } from '../store/store.js';
import { type PurgeResult, purgeExpired, type RetentionPolicy } from './purge.js';

export interface RetentionSweepDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: MetricHooks;
  policy: RetentionPolicy;
  /** Default hourly: retention is counted in days, so an hour late is never late. */
  intervalMs?: number;
}

/** Purges once, logs and counts what went; a failure is logged and waits for the next round. */
export async function purgeAndReport(deps: RetentionSweepDeps): Promise<PurgeResult | undefined> {
  try {
    const result = await purgeExpired(deps.store, deps.clock.now(), deps.policy);
    if (!result.purged) {
      deps.logger.debug('retention: another instance is purging');
      return result;
    }
    deps.metrics.purged('sessions', result.sessions);
    deps.metrics.purged('audit_events', result.auditEvents);
    deps.logger.info(
      { purged: { sessions: result.sessions, audit_events: result.auditEvents } },
      'retention: purged ended sessions and old audit events',
    );
    return result;
  } catch (error) {
    deps.logger.warn({ err: error }, 'retention: purge failed; trying again next round');
    return undefined;
  }
}

/**
 * The service's periodic purge. Its timer is unref'd, so it never keeps a stopping process
 * alive; `stop` waits for a round in progress, so the store is not closed under it.
 */
export class RetentionSweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: RetentionSweepDeps) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.running = purgeAndReport(this.deps);
    }, this.deps.intervalMs ?? 3_600_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
