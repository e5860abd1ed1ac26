import cluster from 'node:cluster';
import { runClusterPrimary } from './cluster-primary.js';
import { configFromEnvironment } from './config/environment.js';
import { createLogger } from './http/request-logger.js';
import { runService } from './service-process.js';

/**
 * The entry point: the only place that reads the environment. With WEB_CONCURRENCY above 1 this
 * process becomes the cluster's primary and each worker runs this file again as a service.
 */
async function main(): Promise<void> {
  const configured = configFromEnvironment();
  if (configured === undefined) process.exit(1);
  const { config, warnings } = configured;
  const logger = createLogger(config.logLevel);
  if (config.webConcurrency > 1 && cluster.isPrimary) {
    for (const warning of warnings) logger.warn(warning);
    await runClusterPrimary(config, logger);
    return;
  }
  // In a worker the primary has said it all already.
  if (!cluster.isWorker) for (const warning of warnings) logger.warn(warning);
  await runService(config, logger, { clusterWorker: cluster.isWorker });
}

main().catch((error: unknown) => {
  console.error(`gatehouse: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
