import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../src/crypto/password-hasher.js';
import { projectRoot } from '../../src/paths.js';
import { loadDemoData } from '../../src/store/demo-data.js';
import { openStore, type Store } from '../../src/store/store.js';
import { type BuiltRun, builtCli, runBuilt } from '../support/built-server.js';
import { announceSkip, isolatedPostgres } from '../support/databases.js';
import { ManualClock } from '../support/manual-clock.js';
import { type CliHarness, openCliHarness } from './cli-harness.js';

/** Runs the built CLI as `npm run cli` would (npm test builds it first). */
function runBuiltCli(args: string[], databaseFile: string): Promise<BuiltRun> {
  return runBuilt(builtCli, args, { env: { NODE_ENV: 'test', DATABASE_URL: `sqlite:${databaseFile}` } });
}

/**
 * Another process writing to the store as the service does: one committed row every couple of
 * milliseconds, numbered 1, 2, 3… so a copy taken from one snapshot holds 1..k with no gap.
 */
const WRITER = `
const db = require('better-sqlite3')(process.argv[1]);
db.pragma('busy_timeout = 5000');
const insert = db.prepare("insert into audit_events (id, occurred_at, action, outcome, detail) values (?, ?, 'test.write', 'success', ?)");
let n = 0;
setInterval(() => { n += 1; insert.run('seq_' + String(n).padStart(8, '0'), new Date().toISOString(), String(n)); }, 2);
`;

async function writtenRows(store: Store): Promise<number[]> {
  const rows = await store.db.selectFrom('audit_events').select('detail').where('action', '=', 'test.write').execute();
  return rows.map((row) => Number(row.detail)).sort((a, b) => a - b);
}

describe('npm run cli -- backup FILE on a running SQLite store', { timeout: 60_000 }, () => {
  let dir: string;
  let databaseFile: string;
  let backupFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-backup-'));
    databaseFile = join(dir, 'gatehouse.db');
    backupFile = join(dir, 'backups', 'copy.db');
    const store = await openStore(`sqlite:${databaseFile}`);
    await loadDemoData(store, new PasswordHasher(4), new ManualClock(), pino({ level: 'silent' }));
    // Enough pages (a few MB) that copying takes more than an instant.
    const filler = 'x'.repeat(500);
    await store.transaction(async (trx) => {
      for (let i = 0; i < 5000; i += 1) {
        await trx.db
          .insertInto('audit_events')
          .values({
            id: `old_${i}`,
            occurred_at: new Date(0).toISOString(),
            action: 'test.old',
            outcome: 'success',
            detail: filler,
          })
          .execute();
      }
    });
    await store.close();
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('copies the store while another process writes; the copy is whole and holds every row up to one moment', async () => {
    const writer = spawn(process.execPath, ['-e', WRITER, databaseFile], { cwd: projectRoot, stdio: 'ignore' });
    const watcher = await openStore(`sqlite:${databaseFile}`);
    try {
      while ((await writtenRows(watcher)).length < 50) await new Promise((r) => setTimeout(r, 20));
      const before = (await writtenRows(watcher)).length;
      mkdirSync(join(dir, 'backups'));

      const run = await runBuiltCli(['backup', backupFile], databaseFile);
      const after = (await writtenRows(watcher)).length;
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(/^Backed up .*gatehouse\.db to .*copy\.db \(\d+ bytes\)\n$/);

      const copy = await openStore(`sqlite:${backupFile}`);
      try {
        expect(copy.handle.sqlite?.pragma('integrity_check', { simple: true })).toBe('ok');
        expect((await copy.users.findByUsername('john'))?.role).toBe('user');
        expect(
          await copy.db
            .selectFrom('audit_events')
            .select(({ fn }) => fn.countAll<number>().as('n'))
            .where('action', '=', 'test.old')
            .executeTakeFirst(),
        ).toEqual({ n: 5000 });
        const copied = await writtenRows(copy);
        // Taken while the writer ran: more than before the command started, no more than after it ended, and no gap.
        expect(copied.length).toBeGreaterThan(before);
        expect(copied.length).toBeLessThanOrEqual(after);
        expect(copied).toEqual(Array.from({ length: copied.length }, (_, i) => i + 1));
      } finally {
        await copy.close();
      }
      expect(readdirSync(join(dir, 'backups'))).toEqual(['copy.db']);
    } finally {
      writer.kill('SIGKILL');
      await watcher.close();
    }
  });

  it('restores by stopping, copying the backup over the store and starting again', async () => {
    const copy = await openStore(`sqlite:${backupFile}`);
    const inBackup = await writtenRows(copy);
    await copy.close();
    const running = await openStore(`sqlite:${databaseFile}`);
    expect((await writtenRows(running)).length).toBeGreaterThan(inBackup.length);
    await running.close();

    // The old store's WAL would be replayed over the restored file: it goes too.
    for (const leftover of [`${databaseFile}-wal`, `${databaseFile}-shm`]) rmSync(leftover, { force: true });
    copyFileSync(backupFile, databaseFile);
    const restored = await openStore(`sqlite:${databaseFile}`);
    try {
      expect(await writtenRows(restored)).toEqual(inBackup);
      expect((await restored.users.findByUsername('admin'))?.role).toBe('admin');
    } finally {
      await restored.close();
    }
  });

  it('refuses to write over an existing file, with exit 2', async () => {
    const run = await runBuiltCli(['backup', databaseFile], databaseFile);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe(`gatehouse: ${databaseFile} exists: back up to a new file\n`);
  });

  it('fails with exit 1 and one line when the folder does not exist', async () => {
    const run = await runBuiltCli(['backup', join(dir, 'missing', 'copy.db')], databaseFile);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^gatehouse: backup failed: .*directory does not exist\n$/);
  });
});

describe('cli: backup', () => {
  let harness: CliHarness;
  beforeAll(async () => {
    harness = await openCliHarness();
  });
  afterAll(() => harness.close());

  it('is listed in --help', async () => {
    expect((await harness.cli(['--help'])).out.join('\n')).toContain('backup <file>');
  });

  it('needs the file to write, with exit 2', async () => {
    expect((await harness.cli(['backup'])).code).toBe(2);
  });
});

const postgresUrl = process.env.TEST_DATABASE_URL;
if (postgresUrl === undefined) announceSkip('backup refused on PostgreSQL', 'TEST_DATABASE_URL');
(postgresUrl === undefined ? describe.skip : describe)('cli: backup on PostgreSQL', () => {
  it('refuses with exit 1 and points at pg_dump', async () => {
    const harness = await openCliHarness();
    const { url, drop } = await isolatedPostgres(postgresUrl ?? '');
    const store = await openStore(url);
    try {
      const run = await harness.cli(['backup', join(tmpdir(), 'never-written.db')], [], {
        openStore: async () => ({ store, applied: [], close: async () => {} }),
      });
      expect(run.code).toBe(1);
      expect(run.err).toEqual([
        expect.stringMatching(/^gatehouse: backup copies a SQLite store; for PostgreSQL use pg_dump: pg_dump -Fc /),
      ]);
      expect(existsSync(join(tmpdir(), 'never-written.db'))).toBe(false);
    } finally {
      await store.close();
      await drop();
      await harness.close();
    }
  });
});
