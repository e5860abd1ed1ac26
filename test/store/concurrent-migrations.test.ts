import { describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { announceSkip, isolatedPostgres } from '../support/databases.js';

const baseUrl = process.env.TEST_DATABASE_URL;
const suite = baseUrl === undefined ? describe.skip : describe;
if (baseUrl === undefined) announceSkip('concurrent migrations on PostgreSQL', 'TEST_DATABASE_URL');

/** The names of all migrations, as a fresh in-memory store applies them. */
async function everyMigration(): Promise<string[]> {
  const store = await openStore('sqlite::memory:');
  await store.close();
  return [...store.migrationsApplied].sort();
}

/** What a rolling start does: several instances open one fresh database at the same moment. */
suite('instances starting at once on one fresh PostgreSQL schema', () => {
  it.each([2, 4])(
    '%i concurrent openStore calls all succeed and each migration is applied exactly once',
    async (instances) => {
      const { url, drop } = await isolatedPostgres(baseUrl ?? '');
      const opened: Store[] = [];
      try {
        const results = await Promise.allSettled(Array.from({ length: instances }, () => openStore(url)));
        for (const result of results) if (result.status === 'fulfilled') opened.push(result.value);
        expect(
          results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
        ).toEqual([]);

        const applied = opened.flatMap((store) => store.migrationsApplied);
        const recorded = await opened[0]?.db
          .selectFrom('kysely_migration' as never)
          .select('name' as never)
          .execute();
        expect(applied.sort()).toEqual((recorded ?? []).map((row) => (row as { name: string }).name).sort());
        // Every migration there is, so the test cannot pass by applying none.
        expect(applied).toEqual(await everyMigration());
        expect(new Set(applied).size).toBe(applied.length);
        // Every instance sees the finished schema.
        for (const store of opened) expect(await store.users.count()).toBe(0);
      } finally {
        await Promise.all(opened.map((store) => store.close()));
        await drop();
      }
    },
  );
});
