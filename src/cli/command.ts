import type { ParseArgsConfig } from 'node:util';
import type { CommandContext } from './cli-types.js';

/** One CLI command: its words, its help, its arguments and options, and what it does. */
export interface Command {
  /** The words that name it, e.g. `user create`. */
  name: string;
  usage: string;
  summary: string;
  /** Names of the positional arguments it requires, in order. */
  arguments: string[];
  options: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CommandContext, args: string[], options: Record<string, string | undefined>): Promise<void>;
}
