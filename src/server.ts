import { configFromEnvironment } from './config/environment.js';
import { createLogger } from './http/request-logger.js';
import { runService } from './runtime/service-process.js';

/** The entry point: the only place that reads the environment. */
async function main(): Promise<void> {
  const configured = configFromEnvironment();
  if (configured === undefined) process.exit(1);
  const { config, warnings } = configured;
  const logger = createLogger(config.logLevel);
  for (const warning of warnings) logger.warn(warning);
  await runService(config, logger, { clusterWorker: false });
}

main().catch((error: unknown) => {
  console.error(`gatehouse: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
