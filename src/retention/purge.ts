import { sql } from 'kysely';
import { addMinutes } from '../clock.js';
import type { Store } from '../store/store.js';

export interface RetentionPolicy {
  auditRetentionDays: number;
  /** Sessions not seen for this long are over, whatever their absolute end. */
  sessionIdleMinutes: number;
}

export type PurgeResult =
  | { purged: true; sessions: number; auditEvents: number }
  /** Another instance held the purge lock; it is doing the same work. */
  | { purged: false };

/** Any fixed number, the same in every instance: PostgreSQL's advisory locks are keyed by it. */
const PURGE_LOCK_KEY = 0x6761_7465; // "gate"

/**
 * Rows deleted per transaction. A purge after weeks without one may have millions to delete;
 * in one transaction it would hold SQLite's only write lock (every sign-in and session touch
 * waits) or a long PostgreSQL transaction for as long as it takes.
 */
export const PURGE_BATCH_ROWS = 5_000;

type Batch = { sessions: number; auditEvents: number } | 'locked';

/**
 * Removes what nobody may use or read any more: revoked and ended sessions, and audit events
 * older than the retention, a batch per transaction until a batch comes back short. One
 * instance at a time: on PostgreSQL each batch first takes a transaction-scoped advisory lock,
 * and an instance that finds it taken leaves the work to the holder; on SQLite the transaction
 * itself serialises writers across processes. Deleting is idempotent, so two sweeps that
 * interleave batches do nothing wrong, only the same work.
 */
export async function purgeExpired(
  store: Store,
  now: Date,
  policy: RetentionPolicy,
  batchRows: number = PURGE_BATCH_ROWS,
): Promise<PurgeResult> {
  const seenBefore = addMinutes(now, -policy.sessionIdleMinutes);
  const recordedBefore = addMinutes(now, -policy.auditRetentionDays * 24 * 60);
  const total = { sessions: 0, auditEvents: 0 };
  for (;;) {
    const batch: Batch = await store.transaction(async (trx) => {
      if (trx.handle.dialect === 'postgres') {
        const { rows } = await sql<{
          locked: boolean;
        }>`select pg_try_advisory_xact_lock(${PURGE_LOCK_KEY}) as locked`.execute(trx.db);
        if (rows[0]?.locked !== true) return 'locked';
      }
      return {
        sessions: await trx.sessions.deleteEnded(now, seenBefore, batchRows),
        auditEvents: await trx.auditEvents.deleteBefore(recordedBefore, batchRows),
      };
    });
    if (batch === 'locked')
      return total.sessions + total.auditEvents === 0 ? { purged: false } : { purged: true, ...total };
    total.sessions += batch.sessions;
    total.auditEvents += batch.auditEvents;
    if (batch.sessions < batchRows && batch.auditEvents < batchRows) return { purged: true, ...total };
  }
}
