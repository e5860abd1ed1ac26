import { parseArgs } from 'node:util';
import { composeServices } from '../compose.js';
import { DomainError } from '../errors/domain-errors.js';
import { backupCommand } from './backup-command.js';
import { type CliDeps, type CliIo, CommandFailed, UsageError } from './cli-types.js';
import type { Command } from './command.js';
import { demoCommands } from './demo-commands.js';
import { keyCommands } from './key-commands.js';
import { purgeCommand } from './purge-command.js';
import { userCommands } from './user-commands.js';

const migrate: Command = {
  name: 'migrate',
  usage: 'migrate',
  summary: 'Bring the database schema up to date',
  arguments: [],
  options: {},
  async run(ctx) {
    ctx.io.out(
      ctx.applied.length === 0 ? 'The database schema is up to date' : `Applied migrations: ${ctx.applied.join(', ')}`,
    );
  },
};

const COMMANDS: Command[] = [migrate, ...userCommands, ...keyCommands, ...demoCommands, purgeCommand, backupCommand];

/** Exit codes: 0 done, 1 the command failed, 2 the command line was wrong. */
export type ExitCode = 0 | 1 | 2;

function overview(): string {
  return [
    'Usage: npm run cli -- <command> [arguments]',
    '',
    'Commands:',
    ...COMMANDS.flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
    '',
    'Passwords are read from a hidden prompt, or from the first line of standard input',
    '(e.g. printf "%s\\n" "$PASSWORD" | npm run --silent cli -- user create carol); never from arguments.',
    'The database comes from DATABASE_URL (and the rest of the configuration) as for the server.',
  ].join('\n');
}

function findCommand(words: string[]): Command | undefined {
  return COMMANDS.find((command) => command.name === words.slice(0, command.name.split(' ').length).join(' '));
}

/** Runs one command line (without `node main.js`) and returns the exit code; it never exits the process. */
export async function runCli(argv: string[], io: CliIo, deps: CliDeps): Promise<ExitCode> {
  // Arguments end up in shell history and in every process listing.
  if (argv.some((arg) => arg === '--password' || arg.startsWith('--password=') || arg === '-p')) {
    io.err('gatehouse: passwords are never taken from arguments: type it at the prompt or pipe it on standard input');
    return 2;
  }
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  const words = argv.filter((arg) => !arg.startsWith('-'));
  const command = findCommand(words);
  if (command === undefined) {
    if (wantsHelp || argv.length === 0) {
      io.out(overview());
      return argv.length === 0 ? 2 : 0;
    }
    io.err(`gatehouse: unknown command "${words.join(' ')}"; see --help`);
    return 2;
  }
  if (wantsHelp) {
    io.out(`Usage: npm run cli -- ${command.usage}\n\n${command.summary}.`);
    return 0;
  }

  let args: string[];
  let options: Record<string, string | undefined>;
  try {
    const parsed = parseArgs({ args: argv, options: command.options, allowPositionals: true, strict: true });
    args = parsed.positionals.slice(command.name.split(' ').length);
    options = parsed.values as Record<string, string | undefined>;
    if (args.length !== command.arguments.length) {
      throw new UsageError(
        `expected ${command.arguments.map((a) => `<${a}>`).join(' ') || 'no arguments'}: npm run cli -- ${command.usage}`,
      );
    }
  } catch (error) {
    io.err(`gatehouse: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }

  let opened: Awaited<ReturnType<CliDeps['openStore']>>;
  try {
    opened = await deps.openStore();
  } catch (error) {
    io.err(`gatehouse: cannot open the database: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  try {
    const { store, applied } = opened;
    const { config, clock, hasher, users, apiKeys, secondFactors, audit } = composeServices({ ...deps, store });
    await command.run(
      { io, config, clock, store, hasher, users, apiKeys, secondFactors, audit, applied },
      args,
      options,
    );
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`gatehouse: ${error.message}`);
      return 2;
    }
    if (error instanceof CommandFailed) io.err(`gatehouse: ${error.message}`);
    else if (error instanceof DomainError) io.err(`gatehouse: ${error.message}`);
    else io.err(`gatehouse: ${command.name} failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await opened.close();
  }
}
