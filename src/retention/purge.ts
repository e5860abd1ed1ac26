import { sql } from 'kysely';
import { addMinutes } from '../clock.js';
import { idleCutoff } from '../sessions/session-policy.js';
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
 * Removes what nobody may use or read any more: revoked and ended sessions, and audit events
 * older than the retention. One instance at a time: on PostgreSQL the first to take a
 * transaction-scoped advisory lock does it and the others skip; on SQLite the transaction itself
 * serialises writers across processes.
 */
export async function purgeExpired(store: Store, now: Date, policy: RetentionPolicy): Promise<PurgeResult> {
  return store.transaction(async (trx) => {
    if (trx.handle.dialect === 'postgres') {
      const { rows } = await sql<{
        locked: boolean;
      }>`select pg_try_advisory_xact_lock(${PURGE_LOCK_KEY}) as locked`.execute(trx.db);
      if (rows[0]?.locked !== true) return { purged: false };
    }
    const sessions = await trx.sessions.deleteEnded(now, idleCutoff(now, policy.sessionIdleMinutes));
    const auditEvents = await trx.auditEvents.deleteBefore(addMinutes(now, -policy.auditRetentionDays * 24 * 60));
    return { purged: true, sessions, auditEvents };
  });
}
