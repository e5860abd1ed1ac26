import { Redis } from 'ioredis';
import { createApp } from './app.js';
import { systemClock } from './clock.js';
import { configFromEnvironment } from './config/environment.js';
import { loadContract } from './contract.js';
import { PasswordHasher } from './crypto/password-hasher.js';
import { createHttpServer, listen } from './http/listen.js';
import { createLogger } from './http/request-logger.js';
import { docsFile, specFile, webDir } from './paths.js';
import { loadDemoData } from './store/demo-data.js';
import { openStore } from './store/store.js';

/** The entry point: the only place that reads the environment, opens the store and listens. */
async function main(): Promise<void> {
  const configured = configFromEnvironment();
  if (configured === undefined) process.exit(1);
  const { config, warnings } = configured;
  const logger = createLogger(config.logLevel);
  for (const warning of warnings) logger.warn(warning);

  const store = await openStore(config.databaseUrl);
  const hasher = new PasswordHasher(config.bcryptCost);
  if (config.demoData) await loadDemoData(store, hasher, systemClock, logger);

  // Rate-limit and throttle counters shared by every instance; without Redis they live in this process.
  const redis = config.redisUrl === undefined ? undefined : new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
  redis?.on('error', (error: Error) =>
    logger.warn({ err: error }, 'redis error: counters fall back to this process until it is back'),
  );
  // Until Redis answers, counters fall back to memory; start anyway if it is down.
  await redis
    ?.ping()
    .catch((error: unknown) =>
      logger.warn({ err: error }, 'redis is not answering yet: counting in memory until it does'),
    );

  const app = createApp({
    config,
    store,
    clock: systemClock,
    logger,
    hasher,
    contract: loadContract(specFile),
    docsFile,
    webDir,
    redis,
  });
  const server = createHttpServer(app);
  const address = await listen(server, config.port, config.host);
  logger.info(
    {
      url: `http://${config.host}:${address.port}`,
      database: config.databaseUrl.split(':')[0],
      counters: redis === undefined ? 'memory' : 'redis',
      env: config.env,
    },
    'gatehouse is listening',
  );

  const stop = (signal: string): void => {
    logger.info({ signal }, 'gatehouse is stopping');
    server.close(() => void Promise.all([store.close(), redis?.quit()]).then(() => process.exit(0)));
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`gatehouse: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
