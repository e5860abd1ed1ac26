import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/crypto/tokens.js';
import { openStore, type Store } from '../../src/store/store.js';
import { announceSkip, freshDatabase, testDatabases } from '../support/databases.js';
import { ManualClock } from '../support/manual-clock.js';

/** How many requests race for one code: more than two, so a pool hands them out over several connections. */
const RACERS = 8;
/** A TOTP step of today (unix time / 30), far past what a 16-bit column would hold. */
const STEP = 59_000_000;

/**
 * The TOTP and recovery-code tables' contract, on every backend: a step or a recovery code is
 * used up by exactly one of any number of concurrent requests, and nothing else is touched.
 */
for (const database of testDatabases()) {
  const suite = database.url === undefined ? describe.skip : describe;
  if (database.url === undefined) announceSkip(`second-factor storage on ${database.name}`, 'TEST_DATABASE_URL');

  suite(`second-factor storage on ${database.name}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let carol: string;
    let dave: string;
    const clock = new ManualClock();

    async function user(username: string): Promise<string> {
      const created = await store.users.create({
        id: newId('usr'),
        username,
        passwordHash: '$2b$04$hash',
        role: 'user',
        now: clock.now(),
      });
      return created.id;
    }

    /** A confirmed factor whose confirming code used `step`. */
    async function confirmed(userId: string, step = STEP): Promise<void> {
      expect(await store.secondFactors.startTotp(userId, `sealed-${userId}`, clock.now())).toBe(true);
      expect(await store.secondFactors.confirmTotp(userId, `sealed-${userId}`, step, clock.now())).toBe(true);
    }

    function codes(userId: string, ...hashes: string[]) {
      return store.secondFactors.replaceRecoveryCodes(
        userId,
        hashes.map((codeHash) => ({ id: newId('rcv'), codeHash })),
        clock.now(),
      );
    }

    function race<T>(attempt: () => Promise<T>): Promise<T[]> {
      return Promise.all(Array.from({ length: RACERS }, attempt));
    }

    beforeEach(async () => {
      const fresh = await freshDatabase(database);
      drop = fresh.drop;
      store = await openStore(fresh.url);
      carol = await user('carol');
      dave = await user('dave');
    });
    afterEach(async () => {
      try {
        await store?.close();
      } finally {
        await drop();
      }
    });

    it('an unconfirmed secret is replaced by the next one; a confirmed factor is never replaced', async () => {
      expect(await store.secondFactors.startTotp(carol, 'first', clock.now())).toBe(true);
      expect(await store.secondFactors.startTotp(carol, 'second', clock.now())).toBe(true);
      expect(await store.secondFactors.confirmTotp(carol, 'first', STEP, clock.now())).toBe(false);
      expect(await store.secondFactors.confirmTotp(carol, 'second', STEP, clock.now())).toBe(true);
      expect(await store.secondFactors.confirmTotp(carol, 'second', STEP, clock.now())).toBe(false);
      expect(await store.secondFactors.startTotp(carol, 'third', clock.now())).toBe(false);
      expect(await store.secondFactors.findTotp(carol)).toEqual({
        user_id: carol,
        secret: 'second',
        created_at: clock.now().toISOString(),
        confirmed_at: clock.now().toISOString(),
        last_used_step: STEP,
      });
      expect(await store.secondFactors.usersWithTotp([carol, dave])).toEqual(new Set([carol]));
      expect(await store.secondFactors.usersWithTotp([])).toEqual(new Set());
    });

    it('an unconfirmed factor counts for nobody and uses up no step', async () => {
      await store.secondFactors.startTotp(carol, 'pending', clock.now());
      expect(await store.secondFactors.usersWithTotp([carol])).toEqual(new Set());
      expect(await store.secondFactors.useTotpStep(carol, STEP + 1)).toBe(false);
      expect(await store.secondFactors.deleteTotp(carol)).toBe(false);
      expect(await store.secondFactors.findTotp(carol)).toBeUndefined();
    });

    it('uses a step once, and no earlier step after it; only the owner’s factor moves', async () => {
      await confirmed(carol);
      await confirmed(dave);
      expect(await store.secondFactors.useTotpStep(carol, STEP)).toBe(false);
      expect(await store.secondFactors.useTotpStep(carol, STEP + 2)).toBe(true);
      expect(await store.secondFactors.useTotpStep(carol, STEP + 2)).toBe(false);
      expect(await store.secondFactors.useTotpStep(carol, STEP + 1)).toBe(false);
      expect((await store.secondFactors.findTotp(dave))?.last_used_step).toBe(STEP);
      expect(await store.secondFactors.useTotpStep(dave, STEP + 1)).toBe(true);
    });

    it(`${RACERS} concurrent uses of one step: exactly one wins`, async () => {
      await confirmed(carol);
      for (const step of [STEP + 1, STEP + 2, STEP + 3]) {
        const results = await race(() => store.secondFactors.useTotpStep(carol, step));
        expect(results.filter(Boolean)).toHaveLength(1);
      }
      expect((await store.secondFactors.findTotp(carol))?.last_used_step).toBe(STEP + 3);
    });

    it(`${RACERS} concurrent confirmations of one enrolment: exactly one turns it on`, async () => {
      await store.secondFactors.startTotp(carol, 'sealed', clock.now());
      const results = await race(() =>
        store.transaction((tx) => tx.secondFactors.confirmTotp(carol, 'sealed', STEP, clock.now())),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('uses a recovery code once, only its owner’s, and counts the rest', async () => {
      await codes(carol, 'h1', 'h2', 'h3');
      await codes(dave, 'd1');
      expect(await store.secondFactors.countUnusedRecoveryCodes(carol)).toBe(3);
      expect(await store.secondFactors.useRecoveryCode(dave, 'h1', clock.now())).toBe(false);
      expect(await store.secondFactors.useRecoveryCode(carol, 'h1', clock.now())).toBe(true);
      expect(await store.secondFactors.useRecoveryCode(carol, 'h1', clock.now())).toBe(false);
      expect(await store.secondFactors.countUnusedRecoveryCodes(carol)).toBe(2);
      expect(await store.secondFactors.countUnusedRecoveryCodes(dave)).toBe(1);
    });

    it(`${RACERS} concurrent uses of one recovery code: exactly one wins`, async () => {
      await codes(carol, 'h1', 'h2');
      const results = await race(() => store.secondFactors.useRecoveryCode(carol, 'h1', clock.now()));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.secondFactors.countUnusedRecoveryCodes(carol)).toBe(1);
    });

    it('new recovery codes replace every old one, used or not', async () => {
      await codes(carol, 'h1', 'h2');
      await store.secondFactors.useRecoveryCode(carol, 'h1', clock.now());
      await codes(carol, 'n1', 'n2', 'n3');
      expect(await store.secondFactors.countUnusedRecoveryCodes(carol)).toBe(3);
      expect(await store.secondFactors.useRecoveryCode(carol, 'h2', clock.now())).toBe(false);
      await store.secondFactors.deleteRecoveryCodes(carol);
      expect(await store.secondFactors.countUnusedRecoveryCodes(carol)).toBe(0);
    });

    it('deleting a confirmed factor says so; a transaction that throws leaves it in place', async () => {
      await confirmed(carol);
      await codes(carol, 'h1');
      await expect(
        store.transaction(async (tx) => {
          await tx.secondFactors.deleteTotp(carol);
          await tx.secondFactors.deleteRecoveryCodes(carol);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await store.secondFactors.usersWithTotp([carol])).toEqual(new Set([carol]));
      expect(await store.secondFactors.countUnusedRecoveryCodes(carol)).toBe(1);
      expect(await store.secondFactors.deleteTotp(carol)).toBe(true);
      expect(await store.secondFactors.deleteTotp(carol)).toBe(false);
    });

    it('the factor and the codes go with their user', async () => {
      await confirmed(carol);
      await codes(carol, 'h1');
      await store.db.deleteFrom('users').where('id', '=', carol).execute();
      expect(await store.secondFactors.findTotp(carol)).toBeUndefined();
      expect(await store.secondFactors.countUnusedRecoveryCodes(carol)).toBe(0);
    });
  });
}
