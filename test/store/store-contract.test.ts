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

    async function createKey(userId: string, name: string, at: Date) {
      return store.apiKeys.create({ id: newId('key'), userId, name, prefix: 'sk_test_abcd', keyHash: sha256Hex(`${name}-${userId}`), permissions: ['read'], expiresAt: null, now: at });
    }

    it('finds an API key by id, and lists only its owner\'s unrevoked keys, newest first, page by page', async () => {
      const john = await createUser('john');
      const bob = await createUser('bob');
      const start = clock.now().getTime();
      const keys = [];
      for (let i = 0; i < 5; i++) keys.push(await createKey(john.id, `k${i}`, new Date(start + i * 1000)));
      await createKey(bob.id, 'bobs', new Date(start));
      await store.apiKeys.revoke(keys[2]!.id, new Date(start + 10_000));

      expect((await store.apiKeys.findById(keys[0]!.id))?.name).toBe('k0');
      expect(await store.apiKeys.findById('key_missing')).toBeUndefined();

      const first = await store.apiKeys.listByUser(john.id, { limit: 2 });
      expect(first.map((k) => k.name)).toEqual(['k4', 'k3']);
      const second = await store.apiKeys.listByUser(john.id, { limit: 2, startingAfter: first[1] });
      expect(second.map((k) => k.name)).toEqual(['k1', 'k0']);
      expect(await store.apiKeys.listByUser(john.id, { limit: 2, startingAfter: second[1] })).toEqual([]);
    });

    it('pages API keys created in the same millisecond by id, without skipping or repeating', async () => {
      const john = await createUser('john');
      for (let i = 0; i < 5; i++) await createKey(john.id, `k${i}`, clock.now());
      const all = await store.apiKeys.listByUser(john.id, { limit: 10 });
      const paged = [...(await store.apiKeys.listByUser(john.id, { limit: 3 }))];
      paged.push(...(await store.apiKeys.listByUser(john.id, { limit: 3, startingAfter: paged[2] })));
      expect(paged.map((k) => k.id)).toEqual(all.map((k) => k.id));
      expect(new Set(paged.map((k) => k.id)).size).toBe(5);
    });

    it('revokes an API key once and marks its use no more often than asked', async () => {
      const john = await createUser('john');
      const key = await createKey(john.id, 'k', clock.now());
      const t0 = clock.now();
      const t1 = new Date(t0.getTime() + 30_000);
      await store.apiKeys.markUsed(key.id, t0, new Date(t0.getTime() - 60_000));
      await store.apiKeys.markUsed(key.id, t1, new Date(t1.getTime() - 60_000));
      expect((await store.apiKeys.findById(key.id))?.last_used_at).toBe(t0.toISOString());
      await store.apiKeys.markUsed(key.id, t1);
      expect((await store.apiKeys.findById(key.id))?.last_used_at).toBe(t1.toISOString());
      expect(await store.apiKeys.revoke(key.id, t1)).toBe(true);
      expect(await store.apiKeys.revoke(key.id, t1)).toBe(false);
    });

    async function createSession(userId: string, at: Date, hours = 1) {
      return store.sessions.create({ id: newId('ses'), tokenHash: sha256Hex(newId('ses')), csrfTokenHash: 'c', userId, now: at, expiresAt: new Date(at.getTime() + hours * 3_600_000), userAgent: null, ip: null });
    }

    it('lists a user\'s live sessions only: not revoked, not past their end, not idle', async () => {
      const alice = await createUser('alice');
      const bob = await createUser('bob');
      const now = clock.now();
      const minutes = (n: number) => new Date(now.getTime() + n * 60_000);
      const live = await createSession(alice.id, minutes(-5));
      const newer = await createSession(alice.id, minutes(-1));
      const revoked = await createSession(alice.id, minutes(-2));
      await store.sessions.revoke(revoked.id, now);
      await createSession(alice.id, minutes(-120), 1); // past its absolute end
      await createSession(alice.id, minutes(-40), 12); // idle for 40 minutes
      await createSession(bob.id, minutes(-1));

      const listed = await store.sessions.listLiveByUser(alice.id, { now, seenSince: minutes(-30) }, 100);
      expect(listed.map((s) => s.id)).toEqual([newer.id, live.id]);
      expect(await store.sessions.listLiveByUser(alice.id, { now, seenSince: minutes(-30) }, 1)).toHaveLength(1);
      expect((await store.sessions.findById(live.id))?.user_id).toBe(alice.id);
      expect(await store.sessions.findById('ses_missing')).toBeUndefined();
    });

    it('revokes every session of one user, optionally but one, and reports how many', async () => {
      const alice = await createUser('alice');
      const bob = await createUser('bob');
      const now = clock.now();
      const [a1, a2, a3] = [await createSession(alice.id, now), await createSession(alice.id, now), await createSession(alice.id, now)];
      const b1 = await createSession(bob.id, now);
      expect(await store.sessions.revoke(a1.id, now)).toBe(true);
      expect(await store.sessions.revokeAllForUser(alice.id, now, { except: a3.id })).toBe(1);
      expect((await store.sessions.findById(a2.id))?.revoked_at).toBe(now.toISOString());
      expect((await store.sessions.findById(a3.id))?.revoked_at).toBeNull();
      expect(await store.sessions.revokeAllForUser(alice.id, now)).toBe(1);
      expect(await store.sessions.revokeAllForUser(alice.id, now)).toBe(0);
      expect((await store.sessions.findById(b1.id))?.revoked_at).toBeNull();
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
