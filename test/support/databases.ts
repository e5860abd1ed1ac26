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

/**
 * A fresh PostgreSQL schema for one test, so test files never see each other's rows; the
 * returned URL points the pool's search_path at it. `drop` removes it and everything in it.
 */
export async function isolatedPostgres(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

/** A database URL for one test: a new in-memory SQLite, or a new PostgreSQL schema. */
export async function freshDatabase(database: TestDatabase): Promise<{ url: string; drop: () => Promise<void> }> {
  if (database.url === undefined) throw new Error(`${database.name} is not configured`);
  if (database.name === 'sqlite') return { url: database.url, drop: async () => {} };
  return isolatedPostgres(database.url);
}
