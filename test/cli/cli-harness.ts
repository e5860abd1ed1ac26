import { pino } from 'pino';
import type { CliDeps } from '../../src/cli/cli-types.js';
import { runCli } from '../../src/cli/run-cli.js';
import { testConfig } from '../../src/config/config.js';
import { PasswordHasher } from '../../src/crypto/password-hasher.js';
import { PasswordPolicy } from '../../src/passwords/password-policy.js';
import { loadDemoData } from '../../src/store/demo-data.js';
import { openStore, type Store } from '../../src/store/store.js';
import { ManualClock } from '../support/manual-clock.js';

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
  /** The prompts the CLI showed when it asked for a password. */
  prompts: string[];
}

export interface CliHarness {
  store: Store;
  clock: ManualClock;
  hasher: PasswordHasher;
  /** Runs one command line against the harness's store; `stdin` answers password reads in turn. */
  cli(argv: string[], stdin?: string[], overrides?: Partial<CliDeps>): Promise<CliRun>;
  /** The audit events the CLI wrote. */
  cliEvents(): Promise<Array<{ action: string; subject_id: string | null; username: string | null }>>;
  close(): Promise<void>;
}

/** runCli over a fresh in-memory store with the demo data, without spawning anything. */
export async function openCliHarness(): Promise<CliHarness> {
  const store = await openStore('sqlite::memory:');
  const clock = new ManualClock();
  const hasher = new PasswordHasher(4);
  await loadDemoData(store, hasher, clock, pino({ level: 'silent' }));
  const passwords = PasswordPolicy.fromFile();

  return {
    store,
    clock,
    hasher,
    async cli(argv, stdin = [], overrides = {}) {
      const run: CliRun = { code: -1, out: [], err: [], prompts: [] };
      const answers = [...stdin];
      const io = {
        out: (line: string) => void run.out.push(line),
        err: (line: string) => void run.err.push(line),
        readPassword: async (prompt: string) => {
          run.prompts.push(prompt);
          return answers.shift() ?? '';
        },
      };
      run.code = await runCli(argv, io, {
        config: testConfig(),
        clock,
        logger: pino({ level: 'silent' }),
        passwords,
        // The harness owns the store; the CLI's close must leave it open.
        openStore: async () => ({ store, applied: [], close: async () => {} }),
        ...overrides,
      });
      return run;
    },
    async cliEvents() {
      return store.db.selectFrom('audit_events').selectAll().where('actor_scheme', '=', 'cli').execute();
    },
    close: () => store.close(),
  };
}
