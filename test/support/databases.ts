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

async function withAdmin<T>(baseUrl: string, action: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}

/**
 * A database of its own for one whole test run, made by the global setup and dropped at the
 * run's end with every schema in it. kysely's migrator introspects every schema of its database,
 * so a schema that another run on the same server dropped meanwhile (a second checkout's suite)
 * failed this one's migrations.
 */
export async function createRunDatabase(
  baseUrl: string,
  run: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${SCHEMA_PREFIX}run_${run}`;
  await withAdmin(baseUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await withAdmin(baseUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/**
 * A fresh PostgreSQL schema for one test, so test files never see each other's rows; the
 * returned URL points the pool's search_path at it. Inside a full run nothing is dropped until
 * the run ends and its database goes: kysely's migrator introspects every schema of the
 * database, and a schema dropped by a parallel test file in the middle of that fails it.
 */
export async function isolatedPostgres(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const run = process.env[TEST_RUN_VARIABLE];
  const schema = `${SCHEMA_PREFIX}${randomBytes(6).toString('hex')}`;
  await withAdmin(baseUrl, (client) => client.query(`create schema ${schema}`));
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop:
      run === undefined
        ? () =>
            withAdmin(baseUrl, async (client) => void (await client.query(`drop schema if exists ${schema} cascade`)))
        : async () => {},
  };
}

/** A database URL for one test: a new in-memory SQLite, or a new PostgreSQL schema. */
export async function freshDatabase(database: TestDatabase): Promise<{ url: string; drop: () => Promise<void> }> {
  if (database.url === undefined) throw new Error(`${database.name} is not configured`);
  if (database.name === 'sqlite') return { url: database.url, drop: async () => {} };
  return isolatedPostgres(database.url);
}
