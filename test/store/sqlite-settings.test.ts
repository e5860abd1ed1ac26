import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/store/database.js';

let handle: DatabaseHandle | undefined;
let dir: string | undefined;

afterEach(async () => {
  await handle?.db.destroy();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('the SQLite connection', () => {
  it('is in WAL mode with foreign keys on and a page cache of SQLite default size, not the 16 MB better-sqlite3 builds in', () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-'));
    handle = openDatabase(`sqlite:${join(dir, 'settings.db')}`);
    const sqlite = handle.sqlite;
    expect(sqlite?.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite?.pragma('foreign_keys', { simple: true })).toBe(1);
    // Negative: KiB. SQLite's own default, 2,000 KiB.
    expect(sqlite?.pragma('cache_size', { simple: true })).toBe(-2000);
  });
});
