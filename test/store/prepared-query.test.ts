import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { preparedQuery } from '../../src/store/prepared-query.js';

interface Pets {
  pets: { name: string; kind: string; age: number };
}

function petShop(): Kysely<Pets> {
  const database = new SqliteDatabase(':memory:');
  database.exec(`create table pets (name text, kind text, age integer);
    insert into pets values ('rex', 'dog', 3), ('tom', 'cat', 5), ('fido', 'dog', 7);`);
  return new Kysely<Pets>({ dialect: new SqliteDialect({ database }) });
}

describe('prepared query', () => {
  it('builds once and answers each run with its own arguments, wherever they sit in the SQL', async () => {
    const db = petShop();
    let builds = 0;
    const olderOfKind = preparedQuery(db, ['kind', 'minAge'], ({ kind, minAge }: { kind: string; minAge: number }) => {
      builds += 1;
      return db.selectFrom('pets').select('name').where('age', '>=', minAge).where('kind', '=', kind).orderBy('name');
    });
    expect(await olderOfKind({ kind: 'dog', minAge: 1 })).toEqual([{ name: 'fido' }, { name: 'rex' }]);
    expect(await olderOfKind({ kind: 'dog', minAge: 5 })).toEqual([{ name: 'fido' }]);
    expect(await olderOfKind({ kind: 'cat', minAge: 1 })).toEqual([{ name: 'tom' }]);
    expect(builds).toBe(1);
    await db.destroy();
  });

  it('keeps the values written into the query itself', async () => {
    const db = petShop();
    const dogsNamed = preparedQuery(db, ['name'], ({ name }: { name: string }) =>
      db.selectFrom('pets').select('age').where('kind', '=', 'dog').where('name', '=', name),
    );
    expect(await dogsNamed({ name: 'rex' })).toEqual([{ age: 3 }]);
    expect(await dogsNamed({ name: 'tom' })).toEqual([]);
    await db.destroy();
  });

  it('refuses a query that leaves an argument out', () => {
    const db = petShop();
    expect(() => preparedQuery(db, ['name'], () => db.selectFrom('pets').select('age'))).toThrow(/does not use name/);
  });
});
