import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import { systemClock } from './clock.js';
import type { Config } from './config/config.js';
import { PasswordHasher } from './crypto/password-hasher.js';
import { listen } from './http/listen.js';
import { createMetricsServer } from './metrics/metrics-server.js';
import { ClusterCounterHost } from './rate-limit/cluster-counters.js';
import { onStopSignals } from './runtime/stop-signals.js';
import { openServingStore } from './service-process.js';

/** A worker that dies this soon after starting is restarted only after a pause, so a crash loop does not spin. */
const QUICK_DEATH_MS = 5_000;
const RESTART_PAUSE_MS = 1_000;

/**
 * The primary of `WEB_CONCURRENCY` workers. It serves no requests: it migrates the store and
 * loads the demo data once, before any worker opens the store; forks the workers; restarts one
 * that dies unexpectedly; keeps the rate-limit counters for all of them when there is no Redis;
 * serves the metrics of every worker; and on a stop signal forwards it and exits when they have.
 */
export async function runClusterPrimary(config: Config, logger: Logger): Promise<void> {
  // Checked and seeded once here, before any worker opens the store.
  await (await openServingStore(config, logger, new PasswordHasher(config.bcryptCost))).close();
  // Without Redis the workers count in this process, over IPC; it listens before they start.
  if (config.redisUrl === undefined) {
    const counters = new ClusterCounterHost(systemClock);
    cluster.on('message', (worker, message) => {
      counters.answer(message).then(
        // A worker that died meanwhile gets no answer; the send's error is not this process's.
        (reply) => reply !== undefined && worker.send(reply, undefined, undefined, () => {}),
        (error: unknown) => logger.error({ err: error }, 'a counter request failed in the primary'),
      );
    });
  }

  // Every worker signs and verifies cookies with the same keys, random ones included.
  const workerEnv = { SESSION_KEYS: config.sessionKeys.join(',') };
  const startedAt = new Map<Worker, number>();
  let stopping = false;
  let allExited: () => void = () => {};
  const exited = new Promise<void>((resolve) => {
    allExited = resolve;
  });
  let failedExits = 0;

  const fork = (): void => {
    const worker = cluster.fork(workerEnv);
    startedAt.set(worker, Date.now());
  };
  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (code !== 0) failedExits += 1;
      if (startedAt.size === 0) allExited();
      return;
    }
    logger.error({ worker_pid: worker.process.pid, code, signal }, 'worker died unexpectedly: starting another');
    if (lived < QUICK_DEATH_MS) setTimeout(() => stopping || fork(), RESTART_PAUSE_MS);
    else fork();
  });
  for (let i = 0; i < config.webConcurrency; i += 1) fork();

  let metricsServer: ReturnType<typeof createMetricsServer> | undefined;
  if (config.metricsPort !== undefined) {
    const aggregator = new AggregatorRegistry();
    metricsServer = createMetricsServer(
      { contentType: aggregator.contentType, metrics: () => aggregator.clusterMetrics() },
      (error) => logger.error({ err: error }, 'metrics scrape failed'),
    );
    const bound = await listen(metricsServer, config.metricsPort, config.metricsHost);
    logger.info({ url: `http://${config.metricsHost}:${bound.port}/metrics` }, 'metrics of every worker are listening');
  }
  logger.info({ workers: config.webConcurrency }, 'gatehouse primary started its workers');

  onStopSignals(logger, async (signal) => {
    stopping = true;
    logger.info({ signal, workers: startedAt.size }, 'gatehouse primary is stopping: forwarding to the workers');
    for (const worker of startedAt.keys()) worker.process.kill(signal);
    if (startedAt.size > 0) await exited;
    metricsServer?.close();
    if (failedExits > 0) throw new Error(`${failedExits} worker(s) did not stop cleanly`);
    logger.info('gatehouse primary stopped');
  });
}
