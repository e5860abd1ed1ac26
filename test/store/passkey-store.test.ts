import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/crypto/tokens.js';
import { openStore, type Store } from '../../src/store/store.js';
import { isUniqueViolation } from '../../src/store/unique-violation.js';
import { announceSkip, freshDatabase, testDatabases } from '../support/databases.js';
import { ManualClock } from '../support/manual-clock.js';

/** The passkey tables' contract, on every backend: counters past 2^31, single-use challenges. */
for (const database of testDatabases()) {
  const suite = database.url === undefined ? describe.skip : describe;
  if (database.url === undefined) announceSkip(`passkey storage on ${database.name}`, 'TEST_DATABASE_URL');

  suite(`passkey storage on ${database.name}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let userId: string;
    const clock = new ManualClock();

    beforeEach(async () => {
      const fresh = await freshDatabase(database);
      drop = fresh.drop;
      store = await openStore(fresh.url);
      const now = clock.now().toISOString();
      userId = newId('usr');
      await store.db
        .insertInto('users')
        .values({
          id: userId,
          username: 'carol',
          username_key: 'carol',
          password_hash: 'x',
          role: 'user',
          disabled: 0,
          credential_version: 1,
          created_at: now,
          updated_at: now,
        })
        .execute();
    });
    afterEach(async () => {
      try {
        await store?.close();
      } finally {
        await drop();
      }
    });

    function passkey(credentialId: string, counter = 0) {
      return store.passkeys.create({
        id: newId('pky'),
        userId,
        credentialId,
        publicKey: 'pk',
        counter,
        transports: ['internal', 'hybrid'],
        name: credentialId,
        now: clock.now(),
      });
    }

    it('keeps a uint32 counter as a number and records a use only against the counter it checked', async () => {
      const created = await passkey('cred-1', 2 ** 32 - 10);
      const found = await store.passkeys.findByCredentialId('cred-1');
      expect(found).toEqual(created);
      expect(found?.counter).toBe(2 ** 32 - 10);
      expect(found?.transports).toEqual(['internal', 'hybrid']);
      expect(await store.passkeys.recordUse(created.id, 2 ** 32 - 10, 2 ** 32 - 5, clock.now())).toBe(true);
      expect(await store.passkeys.recordUse(created.id, 2 ** 32 - 10, 2 ** 32 - 4, clock.now())).toBe(false);
      expect((await store.passkeys.findByCredentialId('cred-1'))?.counter).toBe(2 ** 32 - 5);
    });

    it('refuses a credential id registered twice', async () => {
      await passkey('same');
      expect(isUniqueViolation(await passkey('same').catch((error: unknown) => error))).toBe(true);
    });

    it('counts, lists newest first, deletes only the owner’s, and cascades with the user', async () => {
      await passkey('a');
      clock.advanceSeconds(1);
      await passkey('b');
      expect(await store.passkeys.countByUser(userId)).toBe(2);
      const counts = await store.passkeys.countByUsers([userId, 'usr_nobody0000000']);
      expect([...counts]).toEqual([[userId, 2]]);
      expect((await store.passkeys.countByUsers([])).size).toBe(0);
      const [newest, oldest] = await store.passkeys.listByUser(userId, 20);
      expect([newest?.name, oldest?.name]).toEqual(['b', 'a']);
      expect(await store.passkeys.deleteOwn('usr_someoneelse0000', newest?.id ?? '')).toBeUndefined();
      expect((await store.passkeys.deleteOwn(userId, newest?.id ?? ''))?.name).toBe('b');
      await store.db.deleteFrom('users').where('id', '=', userId).execute();
      expect(await store.passkeys.countByUser(userId)).toBe(0);
    });

    it('gives a challenge to one consumer only, and only for its purpose, session and lifetime', async () => {
      const challenge = (id: string, sessionId: string | null = null) =>
        store.webauthnChallenges.create({
          id,
          challenge: `c-${id}`,
          userId: null,
          sessionId,
          purpose: 'authenticate',
          expiresAt: new Date(clock.now().getTime() + 60_000),
        });
      const claim = { purpose: 'authenticate' as const, sessionId: null, now: clock.now() };
      await challenge('wch_1');
      const [first, second] = await Promise.all([
        store.webauthnChallenges.consume('wch_1', claim),
        store.webauthnChallenges.consume('wch_1', claim),
      ]);
      expect([first?.challenge, second?.challenge].sort()).toEqual(['c-wch_1', undefined]);
      await challenge('wch_2');
      expect(await store.webauthnChallenges.consume('wch_2', { ...claim, purpose: 'register' })).toBeUndefined();
      expect(await store.webauthnChallenges.consume('wch_2', claim)).toBeUndefined();
      await challenge('wch_3', 'ses_a');
      expect(await store.webauthnChallenges.consume('wch_3', claim)).toBeUndefined();
      await challenge('wch_4');
      expect(
        await store.webauthnChallenges.consume('wch_4', { ...claim, now: new Date(clock.now().getTime() + 60_000) }),
      ).toBeUndefined();
    });

    it('purges expired challenges in bounded batches', async () => {
      for (let i = 0; i < 3; i++)
        await store.webauthnChallenges.create({
          id: `wch_${i}`,
          challenge: 'c',
          userId: null,
          sessionId: null,
          purpose: 'authenticate',
          expiresAt: clock.now(),
        });
      expect(await store.webauthnChallenges.deleteExpired(clock.now(), 2)).toBe(2);
      expect(await store.webauthnChallenges.deleteExpired(clock.now(), 2)).toBe(1);
    });
  });
}
