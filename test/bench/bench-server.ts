import { pino } from 'pino';
import { createApp } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { testConfig } from '../../src/config/config.js';
import { loadContract } from '../../src/contract.js';
import { PasswordHasher } from '../../src/crypto/password-hasher.js';
import { createHttpServer, listen } from '../../src/http/listen.js';
import { createLogger } from '../../src/http/request-logger.js';
import { docsFile, specFile, webDir } from '../../src/paths.js';
import { loadDemoData } from '../../src/store/demo-data.js';
import { openStore } from '../../src/store/store.js';

/**
 * One Gatehouse instance for the benchmark, in its own process so that autocannon's work and
 * the server's are not measured together. Production-like: bcrypt cost 12, one log line per
 * request (written to /dev/null), no response validation; the rate limit is raised so that
 * it is exercised on every request without refusing any.
 */
export interface BenchServerOptions {
  basicCacheSeconds: number;
}

export type BenchServerMessage = { type: 'listening'; port: number } | { type: 'rss'; rss: number; maxRss: number };

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as BenchServerOptions;
  const config = testConfig({
    bcryptCost: 12,
    rateLimitMax: 1_000_000,
    basicCacheSeconds: options.basicCacheSeconds,
    logLevel: 'info',
  });
  const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: false }));
  const store = await openStore('sqlite::memory:');
  const hasher = new PasswordHasher(config.bcryptCost);
  await loadDemoData(store, hasher, systemClock, logger);
  const app = createApp({
    config,
    store,
    clock: systemClock,
    logger,
    hasher,
    contract: loadContract(specFile),
    docsFile,
    webDir,
  });
  const server = createHttpServer(app);
  const { port } = await listen(server, 0, '127.0.0.1');
  const send = (message: BenchServerMessage): void => void process.send?.(message);
  send({ type: 'listening', port });
  process.on('message', (message: unknown) => {
    if (message === 'rss')
      send({ type: 'rss', rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024 });
    if (message === 'stop') server.close(() => process.exit(0));
  });
  // Never outlive the benchmark that started it.
  process.on('disconnect', () => process.exit(0));
}

void main();
