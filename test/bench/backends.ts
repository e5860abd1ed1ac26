import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Where one Gatehouse process keeps its data: a fresh SQLite file, or a throwaway PostgreSQL database plus Redis. */
export interface Backend {
  name: 'sqlite' | 'postgres+redis';
  /** A fresh working directory for one Gatehouse process, and the database URL it should use. */
  prepare(): { dir: string; databaseUrl: string };
  redisUrl: string | undefined;
  /** Drops what this run created. */
  dispose(): Promise<void>;
}

function tempDirs(): { make: () => string; removeAll: () => void } {
  const made: string[] = [];
  return {
    make: () => {
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
      made.push(dir);
      return dir;
    },
    removeAll: () => {
      for (const dir of made) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** SQLite: a new file in a new temp dir for every process, removed at the end. */
export function sqliteBackend(): Backend {
  const dirs = tempDirs();
  return {
    name: 'sqlite',
    prepare: () => {
      const dir = dirs.make();
      return { dir, databaseUrl: `sqlite:${join(dir, 'gatehouse.db')}` };
    },
    redisUrl: undefined,
    dispose: async () => dirs.removeAll(),
  };
}

/**
 * PostgreSQL and Redis as shared with other work on this machine. PostgreSQL: a database of
 * this run's own (`gatehouse_bench_<pid>`), created here and dropped at the end, so no other
 * database or schema is touched (the tests' migrator introspects every schema of theirs).
 * Redis: the server's counter prefix is fixed, so the run uses a logical database of its own
 * (BENCH_REDIS_DB, default 15) and deletes nothing; its keys expire with their windows.
 */
export async function postgresBackend(databaseUrl: string, redisUrl: string): Promise<Backend> {
  const name = `gatehouse_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const redis = new URL(redisUrl);
  redis.pathname = `/${process.env.BENCH_REDIS_DB ?? '15'}`;
  const dirs = tempDirs();
  return {
    name: 'postgres+redis',
    prepare: () => ({ dir: dirs.make(), databaseUrl: url.toString() }),
    redisUrl: redis.toString(),
    dispose: async () => {
      dirs.removeAll();
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
