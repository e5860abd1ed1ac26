import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, CLI_ORIGIN } from '../../src/audit/audit-log.js';
import { PasswordHasher } from '../../src/crypto/password-hasher.js';
import { newId } from '../../src/crypto/tokens.js';
import { ApiError } from '../../src/errors/api-error.js';
import { PasswordPolicy } from '../../src/passwords/password-policy.js';
import { openStore, type Store } from '../../src/store/store.js';
import { LAST_ADMIN_MESSAGE, UserService } from '../../src/users/user-service.js';
import { announceSkip, freshDatabase, testDatabases } from '../support/databases.js';
import { ManualClock } from '../support/manual-clock.js';

const GOOD_PASSWORD = 'correct horse battery staple';

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

/** The shared user operations, on every backend: what they change, revoke, refuse and audit. */
for (const database of testDatabases()) {
  const suite = database.url === undefined ? describe.skip : describe;
  if (database.url === undefined) announceSkip(`user service on ${database.name}`, 'TEST_DATABASE_URL');

  suite(`user service on ${database.name}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let users: UserService;
    const clock = new ManualClock();
    const hasher = new PasswordHasher(4);

    beforeEach(async () => {
      const fresh = await freshDatabase(database);
      drop = fresh.drop;
      store = await openStore(fresh.url);
      const audit = new AuditLog(store.auditEvents, clock, pino({ level: 'silent' }));
      users = new UserService({ store, hasher, passwords: PasswordPolicy.fromFile(), clock, audit });
    });
    afterEach(async () => {
      // The schema goes even when opening the store failed, so no test leaves one behind.
      try {
        await store?.close();
      } finally {
        await drop();
      }
    });

    async function liveSession(userId: string, tokenHash: string): Promise<string> {
      const now = clock.now();
      const session = await store.sessions.create({
        id: newId('ses'),
        tokenHash,
        csrfTokenHash: 'c',
        userId,
        now,
        expiresAt: new Date(now.getTime() + 3_600_000),
        userAgent: null,
        ip: null,
      });
      return session.id;
    }

    async function events() {
      return store.db.selectFrom('audit_events').selectAll().execute();
    }

    it('creates a user with a bcrypt hash and audits it without the password', async () => {
      const user = await users.create({ username: 'Carol', password: GOOD_PASSWORD, role: 'user' }, CLI_ORIGIN);
      expect(user).toMatchObject({ username: 'Carol', role: 'user', disabled: 0, credential_version: 1 });
      expect(await hasher.verify(GOOD_PASSWORD, user.password_hash)).toBe(true);
      const [event] = await events();
      expect(event).toMatchObject({
        action: 'user.created',
        outcome: 'success',
        actor_scheme: 'cli',
        username: 'Carol',
        subject_type: 'user',
        subject_id: user.id,
      });
      expect(JSON.stringify(await events())).not.toContain(GOOD_PASSWORD);
    });

    it('409 for a username taken in another case', async () => {
      await users.create({ username: 'carol', password: GOOD_PASSWORD, role: 'user' }, CLI_ORIGIN);
      const error = await failure(
        users.create({ username: 'CAROL', password: GOOD_PASSWORD, role: 'admin' }, CLI_ORIGIN),
      );
      expect([error.status, error.type, error.message]).toEqual([409, 'conflict_error', 'Username is already taken']);
    });

    it('422 for a bad username or a refused password, naming the field', async () => {
      const badName = await failure(
        users.create({ username: 'carol:x', password: GOOD_PASSWORD, role: 'user' }, CLI_ORIGIN),
      );
      expect(badName.details).toEqual([{ path: '/body/username', message: expect.stringMatching(/letters, digits/) }]);
      const common = await failure(
        users.create({ username: 'carol', password: 'password123', role: 'user' }, CLI_ORIGIN),
      );
      expect(common.details).toEqual([{ path: '/body/password', message: expect.stringMatching(/most common/) }]);
      expect(await store.users.count()).toBe(0);
    });

    it('setting a password bumps credential_version and ends every session but the one kept', async () => {
      const carol = await users.create({ username: 'carol', password: GOOD_PASSWORD, role: 'user' }, CLI_ORIGIN);
      const kept = await liveSession(carol.id, 's1');
      await liveSession(carol.id, 's2');
      expect(await users.setPassword(carol, 'another long passphrase', CLI_ORIGIN, { keepSessionId: kept })).toEqual({
        sessionsRevoked: 1,
        apiKeysRevoked: 0,
      });
      const after = await store.users.findById(carol.id);
      expect(after?.credential_version).toBe(2);
      expect(await hasher.verify('another long passphrase', after?.password_hash)).toBe(true);
      expect((await store.sessions.findByTokenHash('s1'))?.revoked_at).toBeNull();
      expect((await store.sessions.findByTokenHash('s2'))?.revoked_at).not.toBeNull();
      const changed = (await events()).find((e) => e.action === 'password.changed');
      expect(JSON.parse(changed?.detail ?? '{}')).toEqual({ sessions_revoked: 1 });
    });

    it('setting a password with revokeApiKeys revokes every key of the user, in the same change', async () => {
      const carol = await users.create({ username: 'carol', password: GOOD_PASSWORD, role: 'user' }, CLI_ORIGIN);
      const dave = await users.create({ username: 'dave', password: GOOD_PASSWORD, role: 'user' }, CLI_ORIGIN);
      const key = (userId: string, id: string) =>
        store.apiKeys.create({
          id,
          userId,
          name: id,
          prefix: 'sk_test_',
          keyHash: id,
          permissions: ['read'],
          expiresAt: null,
          now: clock.now(),
        });
      await key(carol.id, 'key_c1');
      await key(carol.id, 'key_c2');
      await key(dave.id, 'key_d1');
      await store.apiKeys.revoke('key_c2', clock.now());
      expect(await users.setPassword(carol, 'another long passphrase', CLI_ORIGIN, { revokeApiKeys: true })).toEqual({
        sessionsRevoked: 0,
        apiKeysRevoked: 1,
      });
      expect((await store.apiKeys.findById('key_c1'))?.revoked_at).not.toBeNull();
      expect((await store.apiKeys.findById('key_d1'))?.revoked_at).toBeNull();
      const changed = (await events()).find((e) => e.action === 'password.changed');
      expect(JSON.parse(changed?.detail ?? '{}')).toEqual({ sessions_revoked: 0, api_keys_revoked: 1 });
    });

    it('setting a refused password with revokeApiKeys revokes nothing', async () => {
      const carol = await users.create({ username: 'carol', password: GOOD_PASSWORD, role: 'user' }, CLI_ORIGIN);
      await store.apiKeys.create({
        id: 'key_c1',
        userId: carol.id,
        name: 'k',
        prefix: 'sk_test_',
        keyHash: 'h',
        permissions: ['read'],
        expiresAt: null,
        now: clock.now(),
      });
      await failure(users.setPassword(carol, 'short', CLI_ORIGIN, { revokeApiKeys: true }));
      expect((await store.apiKeys.findById('key_c1'))?.revoked_at).toBeNull();
    });

    it('setting a refused password changes nothing', async () => {
      const carol = await users.create({ username: 'carol', password: GOOD_PASSWORD, role: 'user' }, CLI_ORIGIN);
      await liveSession(carol.id, 's1');
      const error = await failure(users.setPassword(carol, 'short', CLI_ORIGIN));
      expect(error.details?.[0]?.path).toBe('/body/new_password');
      expect((await store.users.findById(carol.id))?.credential_version).toBe(1);
      expect((await store.sessions.findByTokenHash('s1'))?.revoked_at).toBeNull();
    });

    it('disabling ends every session and API key for good; enabling again brings none back', async () => {
      const carol = await users.create({ username: 'carol', password: GOOD_PASSWORD, role: 'user' }, CLI_ORIGIN);
      await liveSession(carol.id, 's1');
      await store.apiKeys.create({
        id: newId('key'),
        userId: carol.id,
        name: 'k',
        prefix: 'sk_test_',
        keyHash: 'kh',
        permissions: ['read'],
        expiresAt: null,
        now: clock.now(),
      });
      const disabled = await users.update(carol.id, { disabled: true }, CLI_ORIGIN);
      expect(disabled).toMatchObject({ disabled: 1, credential_version: 2 });
      expect((await store.sessions.findByTokenHash('s1'))?.revoked_at).not.toBeNull();
      expect((await store.apiKeys.findByHash('kh'))?.revoked_at).not.toBeNull();
      const enabled = await users.update(carol.id, { disabled: false }, CLI_ORIGIN);
      expect(enabled).toMatchObject({ disabled: 0, credential_version: 3 });
      expect((await store.apiKeys.findByHash('kh'))?.revoked_at).not.toBeNull();
      const updates = (await events())
        .filter((e) => e.action === 'user.updated')
        .map((e) => JSON.parse(e.detail ?? '{}'));
      expect(updates).toContainEqual({ disabled: true, sessions_revoked: 1, api_keys_revoked: 1 });
      expect(updates).toContainEqual({ disabled: false });
    });

    it('a change that changes nothing writes nothing and audits nothing', async () => {
      const carol = await users.create({ username: 'carol', password: GOOD_PASSWORD, role: 'user' }, CLI_ORIGIN);
      const same = await users.update(carol.id, { role: 'user', disabled: false }, CLI_ORIGIN);
      expect(same.credential_version).toBe(1);
      expect((await events()).map((e) => e.action)).toEqual(['user.created']);
    });

    it('404 for an unknown user, on update and on delete', async () => {
      for (const attempt of [
        () => users.update('usr_missing', { disabled: true }, CLI_ORIGIN),
        () => users.remove('usr_missing', CLI_ORIGIN),
      ]) {
        const error = await failure(attempt());
        expect([error.status, error.message]).toEqual([404, 'User not found']);
      }
    });

    it('409 for demoting, disabling or deleting the only enabled admin', async () => {
      const root = await users.create({ username: 'root', password: GOOD_PASSWORD, role: 'admin' }, CLI_ORIGIN);
      const other = await users.create({ username: 'other', password: GOOD_PASSWORD, role: 'admin' }, CLI_ORIGIN);
      await users.update(other.id, { disabled: true }, CLI_ORIGIN);
      // One at a time: started together, a rejection could go unobserved until its turn.
      const attempts = [
        () => users.update(root.id, { role: 'user' }, CLI_ORIGIN),
        () => users.update(root.id, { disabled: true }, CLI_ORIGIN),
        () => users.remove(root.id, CLI_ORIGIN),
      ];
      for (const attempt of attempts) {
        const error = await failure(attempt());
        expect([error.status, error.type, error.message]).toEqual([409, 'conflict_error', LAST_ADMIN_MESSAGE]);
      }
      expect(await store.users.findById(root.id)).toMatchObject({ role: 'admin', disabled: 0, credential_version: 1 });
      // With a second enabled admin, the first may step down.
      await users.update(other.id, { disabled: false }, CLI_ORIGIN);
      expect((await users.update(root.id, { role: 'user' }, CLI_ORIGIN)).role).toBe('user');
    });

    it('deleting a user deletes their credentials and keeps their audit trail', async () => {
      const carol = await users.create({ username: 'carol', password: GOOD_PASSWORD, role: 'user' }, CLI_ORIGIN);
      await liveSession(carol.id, 's1');
      await users.remove(carol.id, CLI_ORIGIN);
      expect(await store.users.findById(carol.id)).toBeUndefined();
      expect(await store.sessions.findByTokenHash('s1')).toBeUndefined();
      expect((await events()).map((e) => [e.action, e.subject_id])).toContainEqual(['user.deleted', carol.id]);
    });

    it('two admins demoting each other at once leave one admin', async () => {
      const a = await users.create({ username: 'admin-a', password: GOOD_PASSWORD, role: 'admin' }, CLI_ORIGIN);
      const b = await users.create({ username: 'admin-b', password: GOOD_PASSWORD, role: 'admin' }, CLI_ORIGIN);
      const results = await Promise.allSettled([
        users.update(a.id, { role: 'user' }, CLI_ORIGIN),
        users.update(b.id, { role: 'user' }, CLI_ORIGIN),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const admins = await store.transaction((tx) => tx.users.lockActiveAdminIds());
      expect(admins).toHaveLength(1);
    });
  });
}
