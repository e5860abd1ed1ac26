import { pino } from 'pino';
import { configFromEnvironment } from '../config/environment.js';
import { openStore } from '../store/store.js';
import type { CliIo, OpenedStore } from './cli-types.js';
import { readPassword } from './read-password.js';
import { runCli } from './run-cli.js';

/** The CLI's entry: reads the environment as the server does, then hands over to runCli. */
async function main(): Promise<number> {
  const configured = configFromEnvironment();
  if (configured === undefined) return 1;
  // The server's warnings (a random session key, say) do not concern the CLI.
  const { config } = configured;

  const io: CliIo = {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    readPassword: (prompt) => readPassword(prompt, process.stdin, process.stderr),
  };
  const openCliStore = async (): Promise<OpenedStore> => {
    const store = await openStore(config.databaseUrl);
    return { store, applied: store.migrationsApplied, close: () => store.close() };
  };
  // Only failures to write an audit event are logged, to standard error: standard output carries results.
  const logger = pino({ level: 'error' }, pino.destination(2));
  return runCli(process.argv.slice(2), io, {
    config,
    logger,
    openStore: openCliStore,
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`gatehouse: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
