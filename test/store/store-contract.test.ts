import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../src/crypto/password-hasher.js';
import { newId, sha256Hex } from '../../src/crypto/tokens.js';
import { loadDemoData } from '../../src/store/demo-data.js';
import { migrateToLatest } from '../../src/store/migrations.js';
import { openStore, type Store } from '../../src/store/store.js';
import { isUniqueViolation } from '../../src/store/unique-violation.js';
import { announceSkip, freshDatabase, testDatabases } from '../support/databases.js';
import { ManualClock } from '../support/manual-clock.js';
import { auditEventRow } from '../support/rows.js';

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
      // The schema goes even when opening the store failed, so no test leaves one behind.
      try {
        await store?.close();
      } finally {
        await drop();
      }
    });

    async function createUser(username: string) {
      return store.users.create({
        id: newId('usr'),
        username,
        passwordHash: '$2b$04$hash',
        role: 'user',
        now: clock.now(),
      });
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

    it('reads disabled as a boolean, alone and joined to a session or a key', async () => {
      const user = await createUser('dora');
      expect(user.disabled).toBe(false);
      await store.users.update(user.id, { disabled: true }, clock.now());
      expect((await store.users.findById(user.id))?.disabled).toBe(true);
      expect((await store.users.list(10)).map((u) => u.disabled)).toEqual([true]);
      const now = clock.now();
      await store.sessions.create({
        id: newId('ses'),
        tokenHash: 'owner-join',
        csrfTokenHash: 'c',
        userId: user.id,
        now,
        expiresAt: new Date(now.getTime() + 60_000),
        userAgent: null,
        ip: null,
      });
      const session = await store.sessions.findWithOwnerByTokenHash('owner-join');
      expect(session?.owner.disabled).toBe(true);
      // The join splits whole: the record as read alone, the owner as read alone, nothing of one in the other.
      expect(session?.record).toEqual(await store.sessions.findByTokenHash('owner-join'));
      expect(session?.owner).toEqual(await store.users.findById(user.id));
      // A second row of the same query splits the same way.
      expect((await store.sessions.findWithOwnerByTokenHash('owner-join'))?.record).toEqual(session?.record);
      await store.apiKeys.create({
        id: newId('key'),
        userId: user.id,
        name: 'k',
        prefix: 'sk_test_',
        keyHash: 'owner-join',
        permissions: ['read'],
        expiresAt: null,
        now,
      });
      const key = await store.apiKeys.findWithOwnerByHash('owner-join');
      expect(key?.owner.disabled).toBe(true);
      expect(key?.record).toEqual(await store.apiKeys.findByHash('owner-join'));
      expect(key?.owner).toEqual(await store.users.findById(user.id));
    });

    it('refuses a second user whose name differs only in case, as a unique violation', async () => {
      await createUser('alice');
      const error = await createUser('ALICE').catch((e: unknown) => e);
      expect(isUniqueViolation(error)).toBe(true);
      expect(await store.users.count()).toBe(1);
    });

    it('finds API keys by the hash of the key only', async () => {
      const user = await createUser('john');
      await store.apiKeys.create({
        id: newId('key'),
        userId: user.id,
        name: 'k',
        prefix: 'sk_test_',
        keyHash: sha256Hex('sk_test_abc'),
        permissions: ['read', 'write'],
        expiresAt: null,
        now: clock.now(),
      });
      const found = await store.apiKeys.findByHash(sha256Hex('sk_test_abc'));
      expect(found?.permissions).toBe('read,write');
      expect(await store.apiKeys.findByHash(sha256Hex('sk_test_abd'))).toBeUndefined();
    });

    it('keeps sessions by token hash, slides last_seen_at and revokes once', async () => {
      const user = await createUser('alice');
      const now = clock.now();
      const session = await store.sessions.create({
        id: newId('ses'),
        tokenHash: 'h1',
        csrfTokenHash: 'c1',
        userId: user.id,
        now,
        expiresAt: new Date(now.getTime() + 3_600_000),
        userAgent: 'ua',
        ip: '127.0.0.1',
      });
      const later = new Date(now.getTime() + 120_000);
      await store.sessions.touch(session.id, later);
      expect((await store.sessions.findByTokenHash('h1'))?.last_seen_at).toBe(later.toISOString());
      await store.sessions.revoke(session.id, later);
      await store.sessions.revoke(session.id, new Date(later.getTime() + 1000));
      expect((await store.sessions.findByTokenHash('h1'))?.revoked_at).toBe(later.toISOString());
    });

    async function createKey(userId: string, name: string, at: Date) {
      return store.apiKeys.create({
        id: newId('key'),
        userId,
        name,
        prefix: 'sk_test_abcd',
        keyHash: sha256Hex(`${name}-${userId}`),
        permissions: ['read'],
        expiresAt: null,
        now: at,
      });
    }

    it("finds an API key by id, and lists only its owner's unrevoked keys, newest first, page by page", async () => {
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
      return store.sessions.create({
        id: newId('ses'),
        tokenHash: sha256Hex(newId('ses')),
        csrfTokenHash: 'c',
        userId,
        now: at,
        expiresAt: new Date(at.getTime() + hours * 3_600_000),
        userAgent: null,
        ip: null,
      });
    }

    it("lists a user's live sessions only: not revoked, not past their end, not idle", async () => {
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
      const [a1, a2, a3] = [
        await createSession(alice.id, now),
        await createSession(alice.id, now),
        await createSession(alice.id, now),
      ];
      const b1 = await createSession(bob.id, now);
      expect(await store.sessions.revoke(a1.id, now)).toBe(true);
      expect(await store.sessions.revokeAllForUser(alice.id, now, { except: a3.id })).toBe(1);
      expect((await store.sessions.findById(a2.id))?.revoked_at).toBe(now.toISOString());
      expect((await store.sessions.findById(a3.id))?.revoked_at).toBeNull();
      expect(await store.sessions.revokeAllForUser(alice.id, now)).toBe(1);
      expect(await store.sessions.revokeAllForUser(alice.id, now)).toBe(0);
      expect((await store.sessions.findById(b1.id))?.revoked_at).toBeNull();
    });

    async function createSessionWithToken(userId: string, tokenHash: string) {
      const now = clock.now();
      return store.sessions.create({
        id: newId('ses'),
        tokenHash,
        csrfTokenHash: `c-${tokenHash}`,
        userId,
        now,
        expiresAt: new Date(now.getTime() + 3_600_000),
        userAgent: null,
        ip: null,
      });
    }

    async function createKeyFromSecret(userId: string, key: string) {
      return store.apiKeys.create({
        id: newId('key'),
        userId,
        name: key,
        prefix: key.slice(0, 8),
        keyHash: sha256Hex(key),
        permissions: ['read'],
        expiresAt: null,
        now: clock.now(),
      });
    }

    it('lists users newest first, a page at a time after a (created_at, id) cursor', async () => {
      const at = (minutes: number) => new Date(clock.now().getTime() + minutes * 60_000);
      const made = [];
      for (const [i, name] of ['u0', 'u1', 'u2', 'u3'].entries()) {
        made.push(
          await store.users.create({
            id: newId('usr'),
            username: name,
            passwordHash: 'h',
            role: 'user',
            now: at(i < 2 ? 0 : i),
          }),
        );
      }
      const all = await store.users.list(10);
      expect(all.map((u) => u.username).slice(0, 2)).toEqual(['u3', 'u2']);
      expect(all.slice(2).map((u) => u.id)).toEqual(
        made
          .slice(0, 2)
          .map((u) => u.id)
          .sort()
          .reverse(),
      );
      const first = await store.users.list(2);
      const last = first[first.length - 1]!;
      const rest = await store.users.list(10, { createdAt: last.created_at, id: last.id });
      expect([...first, ...rest].map((u) => u.id)).toEqual(all.map((u) => u.id));
    });

    it('updates only the fields given, stamps updated_at and bumps credential_version every time', async () => {
      const user = await createUser('carol');
      const later = new Date(clock.now().getTime() + 60_000);
      const promoted = await store.users.update(user.id, { role: 'admin' }, later);
      expect(promoted).toMatchObject({
        role: 'admin',
        disabled: false,
        password_hash: user.password_hash,
        credential_version: 2,
        updated_at: later.toISOString(),
        created_at: user.created_at,
      });
      const disabled = await store.users.update(user.id, { disabled: true, passwordHash: 'new-hash' }, later);
      expect(disabled).toMatchObject({
        role: 'admin',
        disabled: true,
        password_hash: 'new-hash',
        credential_version: 3,
      });
      expect(await store.users.update('usr_missing', { role: 'user' }, later)).toBeUndefined();
    });

    it("deleting a user deletes their sessions and API keys, and no one else's", async () => {
      const carol = await createUser('carol');
      const dave = await createUser('dave');
      await createSessionWithToken(carol.id, 'carol-session');
      await createKeyFromSecret(carol.id, 'sk_test_carol');
      await createSessionWithToken(dave.id, 'dave-session');
      expect(await store.users.delete(carol.id)).toBe(true);
      expect(await store.users.delete(carol.id)).toBe(false);
      expect(await store.users.findById(carol.id)).toBeUndefined();
      expect(await store.sessions.findByTokenHash('carol-session')).toBeUndefined();
      expect(await store.apiKeys.findByHash(sha256Hex('sk_test_carol'))).toBeUndefined();
      expect(await store.sessions.findByTokenHash('dave-session')).toBeDefined();
    });

    it('revokes every live session of a user but the one spared, and only theirs', async () => {
      const carol = await createUser('carol');
      const dave = await createUser('dave');
      const kept = await createSessionWithToken(carol.id, 'carol-1');
      await createSessionWithToken(carol.id, 'carol-2');
      await createSessionWithToken(carol.id, 'carol-3');
      await createSessionWithToken(dave.id, 'dave-1');
      expect(await store.sessions.revokeAllForUser(carol.id, clock.now(), { except: kept.id })).toBe(2);
      expect((await store.sessions.findByTokenHash('carol-1'))?.revoked_at).toBeNull();
      expect((await store.sessions.findByTokenHash('carol-2'))?.revoked_at).toBe(clock.now().toISOString());
      expect((await store.sessions.findByTokenHash('dave-1'))?.revoked_at).toBeNull();
      expect(await store.sessions.revokeAllForUser(carol.id, clock.now())).toBe(1);
    });

    it('lists and revokes every API key of a user, and only theirs', async () => {
      const carol = await createUser('carol');
      const dave = await createUser('dave');
      await createKeyFromSecret(carol.id, 'sk_test_carol1');
      await createKeyFromSecret(carol.id, 'sk_test_carol2');
      await createKeyFromSecret(dave.id, 'sk_test_dave1');
      expect((await store.apiKeys.listForUser(carol.id)).map((k) => k.name).sort()).toEqual([
        'sk_test_carol1',
        'sk_test_carol2',
      ]);
      expect(await store.apiKeys.revokeAllForUser(carol.id, clock.now())).toBe(2);
      expect(await store.apiKeys.revokeAllForUser(carol.id, clock.now())).toBe(0);
      expect((await store.apiKeys.listForUser(carol.id)).every((k) => k.revoked_at !== null)).toBe(true);
      expect((await store.apiKeys.findByHash(sha256Hex('sk_test_dave1')))?.revoked_at).toBeNull();
    });

    it('counts password hashes by bcrypt cost, in either stored format', async () => {
      const hashes = ['$2b$04$aaa', '$2b$12$bbb', '$gh2$$2b$12$ccc', '$gh2$$2a$10$ddd'];
      for (const [i, hash] of hashes.entries()) {
        const user = await createUser(`u${i}`);
        await store.db.updateTable('users').set({ password_hash: hash }).where('id', '=', user.id).execute();
      }
      expect(await store.users.hashCostCounts()).toEqual(
        new Map([
          [4, 1],
          [12, 2],
          [10, 1],
        ]),
      );
    });

    it('replaces a password hash only while it is the one verified, keeping the credential version', async () => {
      const user = await createUser('alice');
      expect(await store.users.replacePasswordHash(user.id, '$2b$04$other', '$2b$12$new')).toBe(false);
      expect(await store.users.replacePasswordHash(user.id, '$2b$04$hash', '$2b$12$new')).toBe(true);
      const after = await store.users.findById(user.id);
      expect(after?.password_hash).toBe('$2b$12$new');
      expect(after?.credential_version).toBe(user.credential_version);
    });

    it("counts a user's active API keys (not revoked, not expired) inside a transaction that holds the user", async () => {
      const user = await createUser('alice');
      const key = (name: string, expiresAt: Date | null) =>
        store.apiKeys.create({
          id: newId('key'),
          userId: user.id,
          name,
          prefix: 'sk_test_',
          keyHash: sha256Hex(name),
          permissions: ['read'],
          expiresAt,
          now: clock.now(),
        });
      const revoked = await key('revoked', null);
      await store.apiKeys.revoke(revoked.id, clock.now());
      await key('expired', new Date(clock.now().getTime() - 1000));
      await key('later', new Date(clock.now().getTime() + 60_000));
      await key('forever', null);
      const counted = await store.transaction(async (tx) => {
        await tx.users.lockForUpdate(user.id);
        return tx.apiKeys.countActive(user.id, clock.now());
      });
      expect(counted).toBe(2);
    });

    it('names the enabled admins, not the disabled ones nor plain users', async () => {
      const a = await store.users.create({
        id: newId('usr'),
        username: 'a',
        passwordHash: 'h',
        role: 'admin',
        now: clock.now(),
      });
      const b = await store.users.create({
        id: newId('usr'),
        username: 'b',
        passwordHash: 'h',
        role: 'admin',
        now: clock.now(),
      });
      await createUser('c');
      await store.users.update(b.id, { disabled: true }, clock.now());
      expect(await store.transaction((tx) => tx.users.lockActiveAdminIds())).toEqual([a.id]);
    });

    it('a transaction that throws leaves nothing behind', async () => {
      const error = await store
        .transaction(async (tx) => {
          await tx.users.create({
            id: newId('usr'),
            username: 'ghost',
            passwordHash: 'h',
            role: 'user',
            now: clock.now(),
          });
          throw new Error('changed my mind');
        })
        .catch((e: unknown) => e);
      expect((error as Error).message).toBe('changed my mind');
      expect(await store.users.findByUsername('ghost')).toBeUndefined();
    });

    it('finds an audit event by id', async () => {
      const event = auditEventRow({ occurred_at: clock.now().toISOString(), username: 'alice', ip: '127.0.0.1' });
      await store.auditEvents.insert(event);
      expect(await store.auditEvents.findById(event.id)).toEqual(event);
      expect(await store.auditEvents.findById('evt_missing')).toBeUndefined();
    });

    function auditEvent(occurredAt: string, action: string, outcome: 'success' | 'failure', username: string | null) {
      return auditEventRow({ occurred_at: occurredAt, action, outcome, username });
    }

    it('lists audit events matching every filter given, page by page', async () => {
      const events = [
        auditEvent('2026-01-01T09:00:00.000Z', 'login.failed', 'failure', 'Alice'),
        auditEvent('2026-01-01T10:00:00.000Z', 'login.succeeded', 'success', 'alice'),
        auditEvent('2026-01-01T10:30:00.000Z', 'login.failed', 'failure', 'bob'),
        auditEvent('2026-01-01T11:00:00.000Z', 'user.created', 'success', 'ALICE'),
      ];
      for (const event of events) await store.auditEvents.insert(event);
      const usernames = async (filter: Parameters<typeof store.auditEvents.list>[2]) =>
        (await store.auditEvents.list(10, undefined, filter)).map((e) => `${e.action} ${e.username}`);
      expect(await usernames({ username: 'aLiCe' })).toEqual([
        'user.created ALICE',
        'login.succeeded alice',
        'login.failed Alice',
      ]);
      expect(await usernames({ actions: ['login.failed'], outcome: 'failure' })).toEqual([
        'login.failed bob',
        'login.failed Alice',
      ]);
      expect(await usernames({ since: '2026-01-01T10:00:00.000Z', until: '2026-01-01T11:00:00.000Z' })).toEqual([
        'login.failed bob',
        'login.succeeded alice',
      ]);
      expect(await usernames({ actions: ['logout'] })).toEqual([]);
      const [first] = await store.auditEvents.list(1, undefined, { username: 'alice' });
      const rest = await store.auditEvents.list(
        10,
        { occurredAt: first?.occurred_at ?? '', id: first?.id ?? '' },
        { username: 'alice' },
      );
      expect(rest.map((e) => e.action)).toEqual(['login.succeeded', 'login.failed']);
    });

    it('counts audit events per hour and outcome within a window, for the actions given', async () => {
      for (const event of [
        auditEvent('2026-01-01T08:59:59.999Z', 'login.failed', 'failure', 'a'),
        auditEvent('2026-01-01T09:00:00.000Z', 'login.failed', 'failure', 'a'),
        auditEvent('2026-01-01T09:59:59.999Z', 'login.failed', 'failure', 'b'),
        auditEvent('2026-01-01T09:30:00.000Z', 'login.succeeded', 'success', 'a'),
        auditEvent('2026-01-01T10:15:00.000Z', 'login.succeeded', 'success', 'a'),
        auditEvent('2026-01-01T10:20:00.000Z', 'user.created', 'success', 'c'),
        auditEvent('2026-01-01T11:00:00.000Z', 'login.failed', 'failure', 'a'),
      ])
        await store.auditEvents.insert(event);
      const counts = await store.auditEvents.countByHour({
        since: '2026-01-01T09:00:00.000Z',
        until: '2026-01-01T11:00:00.000Z',
        actions: ['login.failed', 'login.succeeded'],
      });
      const sorted = [...counts].sort((a, b) => `${a.hour}${a.outcome}`.localeCompare(`${b.hour}${b.outcome}`));
      expect(sorted).toEqual([
        { hour: '2026-01-01T09', outcome: 'failure', count: 2 },
        { hour: '2026-01-01T09', outcome: 'success', count: 1 },
        { hour: '2026-01-01T10', outcome: 'success', count: 1 },
      ]);
      expect(await store.auditEvents.countByHour({ since: '2027-01-01T00:00:00.000Z' })).toEqual([]);
    });

    it('records when a live session confirmed its password; a revoked one stays as it was', async () => {
      const user = await createUser('alice');
      const session = (id: string) =>
        store.sessions.create({
          id,
          tokenHash: sha256Hex(id),
          csrfTokenHash: 'c',
          userId: user.id,
          now: clock.now(),
          expiresAt: new Date(clock.now().getTime() + 3_600_000),
          userAgent: null,
          ip: null,
        });
      expect((await session('ses_live')).reauthenticated_at).toBeNull();
      await session('ses_ended');
      await store.sessions.revoke('ses_ended', clock.now());
      const later = new Date(clock.now().getTime() + 600_000);
      expect(await store.sessions.markReauthenticated('ses_live', later)).toBe(true);
      expect(await store.sessions.markReauthenticated('ses_ended', later)).toBe(false);
      expect((await store.sessions.findById('ses_live'))?.reauthenticated_at).toBe(later.toISOString());
      expect((await store.sessions.findById('ses_ended'))?.reauthenticated_at).toBeNull();
    });

    it("replaces a session's CSRF token hash only while it is still the one expected", async () => {
      const user = await createUser('alice');
      await store.sessions.create({
        id: 'ses_csrf',
        tokenHash: sha256Hex('token'),
        csrfTokenHash: 'old',
        userId: user.id,
        now: clock.now(),
        expiresAt: new Date(clock.now().getTime() + 3_600_000),
        userAgent: null,
        ip: null,
      });
      await store.sessions.replaceCsrfTokenHash('ses_csrf', 'not-current', 'wrong');
      expect((await store.sessions.findById('ses_csrf'))?.csrf_token_hash).toBe('old');
      await store.sessions.replaceCsrfTokenHash('ses_csrf', 'old', 'new');
      expect((await store.sessions.findById('ses_csrf'))?.csrf_token_hash).toBe('new');
    });

    it('loads demo data only into an empty store, hashed', async () => {
      const hasher = new PasswordHasher(4);
      const logger = pino({ level: 'silent' });
      expect(await loadDemoData(store, hasher, clock, logger)).toBe(true);
      expect(await loadDemoData(store, hasher, clock, logger)).toBe(false);
      expect(await store.users.count()).toBe(4);
      const john = await store.users.findByUsername('john');
      expect(john?.password_hash).toMatch(/^\$gh2\$\$2b\$04\$/);
      expect(JSON.stringify(await store.db.selectFrom('users').selectAll().execute())).not.toContain('secret123');
      const keys = await store.db.selectFrom('api_keys').selectAll().execute();
      expect(keys.map((k) => k.key_hash).sort()).toEqual([sha256Hex('sk_live_456'), sha256Hex('sk_test_123')].sort());
      expect(JSON.stringify(keys)).not.toContain('sk_test_123');
    });
  });
}
