import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { NamedStatements } from './named-statements.js';
import type { Database } from './schema.js';
import { withStatementCache } from './statement-cache.js';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** PostgreSQL's pool, for the metrics read at scrape time. */
  pool?: pg.Pool;
  /** The SQLite connection itself, for what kysely cannot do (an online backup); absent on PostgreSQL. */
  sqlite?: SqliteDatabase.Database;
}

/** Opens the database named by DATABASE_URL: `sqlite:<file>`, `sqlite::memory:` or `postgres://…`. */
export function openDatabase(url: string): DatabaseHandle {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const sqlite = new SqliteDatabase(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // SQLite's own default page cache, 2 MB (better-sqlite3 builds it with 16 MB). Every page read
    // or written stays cached up to the bound, so a busy minute of audit rows grew the process
    // by about 11 MB; the hot rows (users, keys, sessions) fit in 2 MB and the OS caches the file.
    sqlite.pragma('cache_size = -2000');
    return {
      db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }),
      dialect: 'sqlite',
      sqlite,
    };
  }
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  const named = new NamedStatements();
  return {
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: named.pool(pool) }) }),
    dialect: 'postgres',
    pool,
  };
}
