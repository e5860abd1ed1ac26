import { pino } from 'pino';
import { systemClock } from '../clock.js';
import { parseConfig } from '../config/config.js';
import { PasswordPolicy } from '../passwords/password-policy.js';
import { openDatabase } from '../store/database.js';
import { migrateToLatest } from '../store/migrations.js';
import { Store } from '../store/store.js';
import type { CliIo, OpenedStore } from './cli-types.js';
import { readPassword } from './read-password.js';
import { runCli } from './run-cli.js';

/** The CLI's entry: reads the environment as the server does, then hands over to runCli. */
async function main(): Promise<number> {
  try {
    process.loadEnvFile();
  } catch {
    // No .env file: the environment alone configures the CLI.
  }
  const result = parseConfig(process.env);
  if (!result.ok) {
    for (const problem of result.problems) console.error(`gatehouse: configuration: ${problem}`);
    return 1;
  }
  // The server's warnings (a random session key, say) do not concern the CLI.
  const { config } = result;

  const io: CliIo = {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    readPassword: (prompt) => readPassword(prompt, process.stdin, process.stderr),
  };
  const openStore = async (): Promise<OpenedStore> => {
    const handle = openDatabase(config.databaseUrl);
    try {
      const applied = await migrateToLatest(handle.db);
      return { store: new Store(handle), applied, close: () => handle.db.destroy() };
    } catch (error) {
      await handle.db.destroy();
      throw error;
    }
  };
  // Only failures to write an audit event are logged, to standard error: standard output carries results.
  const logger = pino({ level: 'error' }, pino.destination(2));
  return runCli(process.argv.slice(2), io, { config, clock: systemClock, logger, passwords: PasswordPolicy.fromFile(), openStore });
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
