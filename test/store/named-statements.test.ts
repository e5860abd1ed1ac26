import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { NamedStatements } from '../../src/store/named-statements.js';
import { announceSkip, isolatedPostgres } from '../support/databases.js';

const baseUrl = process.env.TEST_DATABASE_URL;
const suite = baseUrl === undefined ? describe.skip : describe;
if (baseUrl === undefined) announceSkip('named statements on PostgreSQL', 'TEST_DATABASE_URL');

interface Opened {
  db: Kysely<Record<string, never>>;
  /** The one connection's pool itself, past the names. */
  pool: pg.Pool;
  /** The statements prepared on the pool's one connection, as PostgreSQL lists them. */
  prepared: () => Promise<string[]>;
}

suite('named statements on PostgreSQL', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function open(maxStatements?: number): Promise<Opened> {
    const { url, drop } = await isolatedPostgres(baseUrl ?? '');
    // One connection, so the statements listed are the ones kysely's queries prepared.
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const db = new Kysely<Record<string, never>>({
      dialect: new PostgresDialect({ pool: new NamedStatements(maxStatements).pool(pool) }),
    });
    cleanups.push(drop, () => db.destroy());
    const prepared = async () =>
      (
        await pool.query<{ statement: string }>('select statement from pg_prepared_statements order by statement')
      ).rows.map((row) => row.statement);
    return { db, pool, prepared };
  }

  it('prepares a text once on a connection and runs it again with new parameters', async () => {
    const { db, prepared } = await open();
    const first = await sql<{ n: number }>`select ${1}::int as n`.execute(db);
    const second = await sql<{ n: number }>`select ${2}::int as n`.execute(db);
    expect(first.rows).toEqual([{ n: 1 }]);
    expect(second.rows).toEqual([{ n: 2 }]);
    expect(await prepared()).toEqual(['select $1::int as n']);
  });

  it('runs texts past its bound unnamed, as kysely would', async () => {
    const { db, prepared } = await open(1);
    await sql`select ${1}::int as one`.execute(db);
    const past = await sql<{ two: number }>`select ${2}::int as two`.execute(db);
    expect(past.rows).toEqual([{ two: 2 }]);
    expect(await prepared()).toEqual(['select $1::int as one']);
  });

  it('answers with the new columns after a migration adds one under a prepared select *', async () => {
    const { db, prepared } = await open();
    await sql`create table widgets (id integer primary key)`.execute(db);
    await sql`insert into widgets (id) values (${1})`.execute(db);
    const select = () => sql<Record<string, unknown>>`select * from widgets where id = ${1}`.execute(db);
    expect((await select()).rows).toEqual([{ id: 1 }]);
    expect(await prepared()).toContain('select * from widgets where id = $1');

    await sql`alter table widgets add column colour text not null default 'blue'`.execute(db);
    expect((await select()).rows).toEqual([{ id: 1, colour: 'blue' }]);
    expect((await select()).rows).toEqual([{ id: 1, colour: 'blue' }]);
  });

  it('answers when the connection lost what was prepared on it (a pooler in between), then runs the text unnamed', async () => {
    const { db, pool, prepared } = await open();
    const select = (n: number) => sql<{ n: number }>`select ${n}::int as n`.execute(db);
    expect((await select(1)).rows).toEqual([{ n: 1 }]);
    await pool.query('deallocate all');
    expect((await select(2)).rows).toEqual([{ n: 2 }]);
    expect((await select(3)).rows).toEqual([{ n: 3 }]);
    expect(await prepared()).toEqual([]);
  });

  it('gives a text the same name in every process, so a shared connection never runs another text under it', async () => {
    const first = await open();
    const second = await open();
    await sql`select ${1}::int as n`.execute(first.db);
    // Another text first, so that a name handed out in order would differ.
    await sql`select ${1}::int as other`.execute(second.db);
    await sql`select ${1}::int as n`.execute(second.db);
    const nameOf = async (pool: pg.Pool) =>
      (
        await pool.query<{ name: string }>('select name from pg_prepared_statements where statement = $1', [
          'select $1::int as n',
        ])
      ).rows.map((row) => row.name);
    const [name] = await nameOf(first.pool);
    expect(name).toBeDefined();
    expect(await nameOf(second.pool)).toEqual([name]);
  });

  it('passes other errors through unchanged', async () => {
    const { db } = await open();
    await expect(sql`select * from no_such_table where id = ${1}`.execute(db)).rejects.toMatchObject({ code: '42P01' });
  });
});
