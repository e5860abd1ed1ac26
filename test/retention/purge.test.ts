import pg from 'pg';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addMinutes } from '../../src/clock.js';
import { newId } from '../../src/crypto/tokens.js';
import type { PurgedKind } from '../../src/metrics/hooks.js';
import { purgeExpired } from '../../src/retention/purge.js';
import { RetentionSweep } from '../../src/retention/retention-sweep.js';
import { openStore, type Store } from '../../src/store/store.js';
import { announceSkip, freshDatabase, testDatabases } from '../support/databases.js';
import { ManualClock } from '../support/manual-clock.js';
import { auditEventRow } from '../support/rows.js';

const POLICY = { auditRetentionDays: 30, sessionIdleMinutes: 30 };
const DAY_MINUTES = 24 * 60;

for (const database of testDatabases()) {
  const suite = database.url === undefined ? describe.skip : describe;
  if (database.url === undefined) announceSkip(`retention on ${database.name}`, 'TEST_DATABASE_URL');

  suite(`retention on ${database.name}`, () => {
    let store: Store;
    let url: string;
    let drop: () => Promise<void>;
    let clock: ManualClock;
    let userId: string;

    beforeEach(async () => {
      const fresh = await freshDatabase(database);
      url = fresh.url;
      drop = fresh.drop;
      store = await openStore(url);
      clock = new ManualClock();
      userId = newId('usr');
      await store.users.create({
        id: userId,
        username: 'carol',
        passwordHash: '$2b$04$x',
        role: 'user',
        now: clock.now(),
      });
    });
    afterEach(async () => {
      try {
        await store?.close();
      } finally {
        await drop();
      }
    });

    /** A session created `ageMinutes` ago, last seen `idleMinutes` ago, with an absolute life of 12 h. */
    async function session(name: string, ageMinutes: number, idleMinutes: number, revoked = false): Promise<string> {
      const now = clock.now();
      const id = `ses_${name}`;
      await store.sessions.create({
        id,
        tokenHash: `hash-${name}`,
        csrfTokenHash: `csrf-${name}`,
        userId,
        now: addMinutes(now, -ageMinutes),
        expiresAt: addMinutes(now, 12 * 60 - ageMinutes),
        userAgent: null,
        ip: null,
      });
      await store.sessions.touch(id, addMinutes(now, -idleMinutes));
      if (revoked) await store.sessions.revoke(id, now);
      return id;
    }

    async function auditEvent(name: string, ageMinutes: number): Promise<void> {
      await store.auditEvents.insert(
        auditEventRow({
          id: `aud_${name}`,
          occurred_at: addMinutes(clock.now(), -ageMinutes).toISOString(),
          username: 'carol',
        }),
      );
    }

    async function remaining(): Promise<{ sessions: string[]; events: string[] }> {
      const sessions = await store.db.selectFrom('sessions').select('id').orderBy('id').execute();
      const events = await store.db.selectFrom('audit_events').select('id').orderBy('id').execute();
      return { sessions: sessions.map((s) => s.id), events: events.map((e) => e.id) };
    }

    async function seed(): Promise<void> {
      await session('live', 60, 5);
      await session('revoked', 60, 5, true);
      await session('idle', 120, 31);
      await session('ended', 13 * 60, 1);
      await auditEvent('recent', 29 * DAY_MINUTES);
      await auditEvent('old', 31 * DAY_MINUTES);
    }

    it('deletes revoked, idle and ended sessions and audit events past the retention, keeping the rest', async () => {
      await seed();
      expect(await purgeExpired(store, clock.now(), POLICY)).toEqual({ purged: true, sessions: 3, auditEvents: 1 });
      expect(await remaining()).toEqual({ sessions: ['ses_live'], events: ['aud_recent'] });
      expect(await purgeExpired(store, clock.now(), POLICY)).toEqual({ purged: true, sessions: 0, auditEvents: 0 });
    });

    it('deletes in batches until none is left, each batch its own transaction', async () => {
      await seed();
      for (const name of ['r1', 'r2', 'r3', 'r4']) await session(name, 60, 5, true);
      for (const name of ['o1', 'o2']) await auditEvent(name, 40 * DAY_MINUTES);
      const transactions = vi.spyOn(store, 'transaction');
      expect(await purgeExpired(store, clock.now(), POLICY, 2)).toEqual({ purged: true, sessions: 7, auditEvents: 3 });
      // 7 sessions in batches of 2: three full batches, then a short one ends it.
      expect(transactions).toHaveBeenCalledTimes(4);
      expect(await remaining()).toEqual({ sessions: ['ses_live'], events: ['aud_recent'] });
    });

    it('the sweep purges on its timer, counts the purge and logs it', async () => {
      await seed();
      const counted: Array<[PurgedKind, number]> = [];
      const lines: string[] = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
      const sweep = new RetentionSweep({
        store,
        clock,
        logger,
        metrics: {
          authOutcome: () => {},
          refused: () => {},
          purged: (kind, count) => void counted.push([kind, count]),
        },
        policy: POLICY,
        intervalMs: 10,
      });
      sweep.start();
      await expect.poll(() => counted.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
      await sweep.stop();
      expect(counted.slice(0, 2)).toEqual([
        ['sessions', 3],
        ['audit_events', 1],
      ]);
      const logged = lines.map((line) => JSON.parse(line)).find((line) => line.purged !== undefined);
      expect(logged).toMatchObject({ purged: { sessions: 3, audit_events: 1 } });
    });

    // Only PostgreSQL has the lock: the test exists where it applies, so a skip means a missing service.
    if (database.name === 'postgres')
      it('skips while another instance holds the purge lock', async () => {
        await seed();
        const other = new pg.Client({ connectionString: url });
        await other.connect();
        try {
          await other.query('begin');
          await other.query('select pg_advisory_xact_lock($1)', [0x6761_7465]);
          expect(await purgeExpired(store, clock.now(), POLICY)).toEqual({ purged: false });
          expect((await remaining()).sessions).toHaveLength(4);
          await other.query('commit');
          expect(await purgeExpired(store, clock.now(), POLICY)).toMatchObject({ purged: true, sessions: 3 });
        } finally {
          await other.end();
        }
      });
  });
}
