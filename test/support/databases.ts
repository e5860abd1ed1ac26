import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** Undefined when the backend is not configured here (the suite says it skipped). */
  url: string | undefined;
}

/** SQLite always; PostgreSQL when TEST_DATABASE_URL is set (.ci/run sets it). */
export function testDatabases(): TestDatabase[] {
  return [
    { name: 'sqlite', url: 'sqlite::memory:' },
    { name: 'postgres', url: process.env.TEST_DATABASE_URL },
  ];
}

export function announceSkip(what: string, variable: string): void {
  console.warn(`SKIPPED: ${what} — set ${variable} to run it (.ci/run does)`);
}

/** Set by the global setup: names this run's schemas, which are dropped together at its end. */
export const TEST_RUN_VARIABLE = 'GATEHOUSE_TEST_RUN';
export const SCHEMA_PREFIX = 'gatehouse_test_';

async function dropSchemas(baseUrl: string, pattern: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      'select nspname as name from pg_namespace where nspname like $1',
      [pattern],
    );
    for (const { name } of rows) await client.query(`drop schema if exists ${name} cascade`);
  } finally {
    await client.end();
  }
}

/**
 * A fresh PostgreSQL schema for one test, so test files never see each other's rows; the
 * returned URL points the pool's search_path at it. Inside a full run nothing is dropped until
 * the run ends (`dropRunSchemas`): kysely's migrator introspects every schema of the database,
 * and a schema dropped by a parallel test file in the middle of that fails it.
 */
export async function isolatedPostgres(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const run = process.env[TEST_RUN_VARIABLE];
  const schema = `${SCHEMA_PREFIX}${run === undefined ? '' : `${run}_`}${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: run === undefined ? () => dropSchemas(baseUrl, schema) : async () => {},
  };
}

/** Drops every schema this run made. */
export async function dropRunSchemas(baseUrl: string, run: string): Promise<void> {
  await dropSchemas(baseUrl, `${SCHEMA_PREFIX}${run}\\_%`);
}

/** A database URL for one test: a new in-memory SQLite, or a new PostgreSQL schema. */
export async function freshDatabase(database: TestDatabase): Promise<{ url: string; drop: () => Promise<void> }> {
  if (database.url === undefined) throw new Error(`${database.name} is not configured`);
  if (database.name === 'sqlite') return { url: database.url, drop: async () => {} };
  return isolatedPostgres(database.url);
}
