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
