import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { CommandFailed, UsageError } from './cli-types.js';
import type { Command } from './command.js';

/**
 * Pages copied per step of SQLite's online backup: all of them, so the copy comes from one
 * snapshot. A step-wise copy starts over whenever another connection writes, and a busy service
 * could keep it from ever finishing; in WAL mode one long read holds up no writer.
 */
const ALL_PAGES = 0x7fffffff;

const POSTGRES_ADVICE =
  'backup copies a SQLite store; for PostgreSQL use pg_dump: pg_dump -Fc "$DATABASE_URL" > gatehouse.dump (restore with pg_restore; see "Deploying" in the README)';

export const backupCommand: Command = {
  name: 'backup',
  usage: 'backup <file>',
  summary: 'Copy the SQLite store to a new file, consistently, while the service runs (PostgreSQL: pg_dump)',
  arguments: ['file'],
  options: {},
  async run(ctx, [file = '']) {
    const sqlite = ctx.store.handle.sqlite;
    if (sqlite === undefined) throw new CommandFailed(POSTGRES_ADVICE);
    const target = resolve(file);
    // Never over an older backup, nor over the store itself.
    if (existsSync(target)) throw new UsageError(`${file} exists: back up to a new file`);
    // Written aside and renamed when complete, so an interrupted backup never looks like a good one.
    const partial = `${target}.partial`;
    rmSync(partial, { force: true });
    try {
      await sqlite.backup(partial, { progress: () => ALL_PAGES });
      renameSync(partial, target);
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    }
    ctx.io.out(`Backed up ${sqlite.name} to ${file} (${statSync(target).size} bytes)`);
  },
};
