import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from '../../src/store/statement-cache.js';

describe('statement cache', () => {
  it('prepares each SQL text once and reuses it with new parameters', () => {
    const database = new SqliteDatabase(':memory:');
    const cached = withStatementCache(database);
    const first = cached.prepare('select ? as n');
    const again = cached.prepare('select ? as n');
    expect(again).toBe(first);
    expect(again.all([2])).toEqual([{ n: 2 }]);
    cached.close();
  });

  it('drops the oldest statement past its bound', () => {
    const database = new SqliteDatabase(':memory:');
    const cached = withStatementCache(database, 2);
    const one = cached.prepare('select 1');
    cached.prepare('select 2');
    cached.prepare('select 3');
    expect(cached.prepare('select 1')).not.toBe(one);
    cached.close();
  });
});
