import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../src/crypto/password-hasher.js';
import { newId, sha256Hex } from '../../src/crypto/tokens.js';
import { migrateToLatest } from '../../src/store/migrations.js';
import { loadDemoData } from '../../src/store/demo-data.js';
import { type Store, openStore } from '../../src/store/store.js';
import { isUniqueViolation } from '../../src/store/unique-violation.js';
import { pino } from 'pino';
import { announceSkip, freshDatabase, testDatabases } from '../support/databases.js';
import { ManualClock } from '../support/manual-clock.js';

/** One storage contract, run against every backend the service supports. */
for (const database of testDatabases()) {
  const suite = database.url === undefined ? describe.skip : describe;
  if (database.url === undefined) announceSkip(`storage contract on ${database.name}`, 'TEST_DATABASE_URL');

  suite(`storage contract on ${database.name}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    const clock = new ManualClock();

    beforeEach(async () => {
      const fresh = await freshDatabase(database);
      drop = fresh.drop;
      store = await openStore(fresh.url);
    });
    afterEach(async () => {
      await store.close();
      await drop();
    });

    async function createUser(username: string) {
      return store.users.create({ id: newId('usr'), username, passwordHash: '$2b$04$hash', role: 'user', now: clock.now() });
    }

    it('migrating again changes nothing', async () => {
      expect(await migrateToLatest(store.db)).toEqual([]);
    });

    it('finds users by username regardless of case', async () => {
      const created = await createUser('Alice');
      expect((await store.users.findByUsername('aLICE'))?.id).toBe(created.id);
      expect((await store.users.findById(created.id))?.username).toBe('Alice');
      expect(await store.users.findByUsername('bob')).toBeUndefined();
    });

    it('refuses a second user whose name differs only in case, as a unique violation', async () => {
      await createUser('alice');
      const error = await createUser('ALICE').catch((e: unknown) => e);
      expect(isUniqueViolation(error)).toBe(true);
      expect(await store.users.count()).toBe(1);
    });

    it('finds API keys by the hash of the key only', async () => {
      const user = await createUser('john');
      await store.apiKeys.create({ id: newId('key'), userId: user.id, name: 'k', prefix: 'sk_test_', keyHash: sha256Hex('sk_test_abc'), permissions: ['read', 'write'], expiresAt: null, now: clock.now() });
      const found = await store.apiKeys.findByHash(sha256Hex('sk_test_abc'));
      expect(found?.permissions).toBe('read,write');
      expect(await store.apiKeys.findByHash(sha256Hex('sk_test_abd'))).toBeUndefined();
    });

    it('keeps sessions by token hash, slides last_seen_at and revokes once', async () => {
      const user = await createUser('alice');
      const now = clock.now();
      const session = await store.sessions.create({ id: newId('ses'), tokenHash: 'h1', csrfTokenHash: 'c1', userId: user.id, now, expiresAt: new Date(now.getTime() + 3_600_000), userAgent: 'ua', ip: '127.0.0.1' });
      const later = new Date(now.getTime() + 120_000);
      await store.sessions.touch(session.id, later);
      expect((await store.sessions.findByTokenHash('h1'))?.last_seen_at).toBe(later.toISOString());
      await store.sessions.revoke(session.id, later);
      await store.sessions.revoke(session.id, new Date(later.getTime() + 1000));
      expect((await store.sessions.findByTokenHash('h1'))?.revoked_at).toBe(later.toISOString());
    });

    it('loads demo data only into an empty store, hashed', async () => {
      const hasher = new PasswordHasher(4);
      const logger = pino({ level: 'silent' });
      expect(await loadDemoData(store, hasher, clock, logger)).toBe(true);
      expect(await loadDemoData(store, hasher, clock, logger)).toBe(false);
      expect(await store.users.count()).toBe(4);
      const john = await store.users.findByUsername('john');
      expect(john?.password_hash).toMatch(/^\$2b\$04\$/);
      expect(JSON.stringify(await store.db.selectFrom('users').selectAll().execute())).not.toContain('secret123');
      const keys = await store.db.selectFrom('api_keys').selectAll().execute();
      expect(keys.map((k) => k.key_hash).sort()).toEqual([sha256Hex('sk_live_456'), sha256Hex('sk_test_123')].sort());
      expect(JSON.stringify(keys)).not.toContain('sk_test_123');
    });
  });
}
