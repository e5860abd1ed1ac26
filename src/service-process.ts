import type { Logger } from 'pino';
import { AggregatorRegistry, Registry } from 'prom-client';
import { createApp } from './app.js';
import { systemClock } from './clock.js';
import { composeServices } from './compose.js';
import type { Config } from './config/config.js';
import { PasswordHasher } from './crypto/password-hasher.js';
import { createHttpServer, DEFAULT_SERVER_LIMITS, listen } from './http/listen.js';
import { createMetricsServer } from './metrics/metrics-server.js';
import { ServiceMetrics } from './metrics/service-metrics.js';
import { createRedisClient } from './rate-limit/redis-client.js';
import { RetentionSweep } from './retention/retention-sweep.js';
import { ConnectionDrain } from './runtime/connection-drain.js';
import { Lifecycle } from './runtime/lifecycle.js';
import { onStopSignals } from './runtime/stop-signals.js';
import { demoCredentialsProblem, findDemoCredentials } from './store/demo-credentials.js';
import { loadDemoData } from './store/demo-data.js';
import { openStore, type Store } from './store/store.js';

/** After a stop signal, idle keep-alive connections stay open this long for requests already sent. */
const IDLE_GRACE_MS = 1_000;

export interface ServiceRole {
  /** A node:cluster worker: the primary loaded the demo data, counts without Redis and serves metrics. */
  clusterWorker: boolean;
}

/**
 * Opens the store a service will answer from: production refuses one that still honours the demo
 * credentials (checked by value, on every start: a store a development run seeded must not go
 * live), and outside production an empty store gets the demo data. A refusal is one line and exit 1.
 */
export async function openServingStore(config: Config, logger: Logger, hasher: PasswordHasher): Promise<Store> {
  const store = await openStore(config.databaseUrl);
  if (config.env === 'production') {
    const problem = demoCredentialsProblem(await findDemoCredentials(store, hasher));
    if (problem !== undefined) {
      console.error(`gatehouse: ${problem}`);
      await store.close();
      process.exit(1);
    }
  }
  if (config.demoData) await loadDemoData(store, hasher, systemClock, logger);
  return store;
}

/** One serving process: opens the store, Redis and the listeners, and drains them on a stop signal. */
export async function runService(config: Config, logger: Logger, role: ServiceRole): Promise<void> {
  const lifecycle = new Lifecycle();
  const hasher = new PasswordHasher(config.bcryptCost);
  // In a cluster the primary has already checked and seeded the store.
  const store = role.clusterWorker
    ? await openStore(config.databaseUrl)
    : await openServingStore(config, logger, hasher);

  // Rate-limit and throttle counters shared by every instance; without Redis they live in this process.
  const redis = config.redisUrl === undefined ? undefined : createRedisClient(config.redisUrl);
  redis?.on('error', (error: Error) =>
    logger.warn({ err: error }, 'redis error: counters fall back to this process until it is back'),
  );
  // Until Redis answers, counters fall back to memory; start anyway if it is down.
  await redis
    ?.ping()
    .catch((error: unknown) =>
      logger.warn({ err: error }, 'redis is not answering yet: counting in memory until it does'),
    );

  const registry = new Registry();
  const metrics =
    config.metricsPort === undefined
      ? undefined
      : new ServiceMetrics({ registry, pool: store.handle.pool, redis, processMetrics: true });
  if (metrics !== undefined && role.clusterWorker) {
    // prom-client answers the primary's scrape from the registries named here; constructing an
    // AggregatorRegistry is what makes a worker listen for those requests.
    AggregatorRegistry.setRegistries([registry]);
    new AggregatorRegistry();
  }

  const services = composeServices({
    config,
    store,
    logger,
    redis,
    hasher,
    metrics,
    lifecycle,
    clusterWorker: role.clusterWorker,
  });
  const app = createApp({ services });
  const server = createHttpServer(app, DEFAULT_SERVER_LIMITS, app);
  const drain = new ConnectionDrain(server);
  const address = await listen(server, config.port, config.host);
  logger.info(
    {
      url: `http://${config.host}:${address.port}`,
      database: config.databaseUrl.split(':')[0],
      counters: redis === undefined ? (role.clusterWorker ? 'cluster primary' : 'memory') : 'redis',
      env: config.env,
    },
    'gatehouse is listening',
  );

  const metricsServer =
    metrics === undefined || role.clusterWorker
      ? undefined
      : createMetricsServer(registry, (error) => logger.error({ err: error }, 'metrics scrape failed'));
  if (metricsServer !== undefined && config.metricsPort !== undefined) {
    const bound = await listen(metricsServer, config.metricsPort, config.metricsHost);
    logger.info({ url: `http://${config.metricsHost}:${bound.port}/metrics` }, 'metrics are listening');
  }

  const sweep = new RetentionSweep({
    store,
    clock: services.clock,
    logger,
    metrics: services.metrics,
    policy: { auditRetentionDays: config.auditRetentionDays, sessionIdleMinutes: config.sessionIdleMinutes },
  });
  sweep.start();

  onStopSignals(logger, async (signal) => {
    lifecycle.beginStopping();
    logger.info({ signal, open_connections: drain.openConnections }, 'gatehouse is stopping: draining connections');
    const result = await drain.drain({ timeoutMs: config.shutdownTimeoutSeconds * 1000, idleGraceMs: IDLE_GRACE_MS });
    metricsServer?.close();
    await sweep.stop();
    await Promise.all([store.close(), redis?.quit().catch(() => undefined)]);
    logger.info({ drain: result }, 'gatehouse stopped');
  });
}
