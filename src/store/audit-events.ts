import { type ExpressionBuilder, type Kysely, type Selectable, sql } from 'kysely';
import type { AuditEventsTable, AuditOutcome, Database } from './schema.js';

export type AuditEventRecord = Selectable<AuditEventsTable>;

/** Conditions that all must hold; instants are ISO-8601 UTC strings, as stored. */
export interface AuditFilter {
  actions?: string[];
  /** Compared regardless of case. */
  username?: string;
  outcome?: AuditOutcome;
  /** Inclusive. */
  since?: string;
  /** Exclusive. */
  until?: string;
}

/** How many events of one outcome started in one hour; `hour` is `YYYY-MM-DDTHH` (UTC). */
export interface HourOutcomeCount {
  hour: string;
  outcome: AuditOutcome;
  count: number;
}

type AuditWhere = ExpressionBuilder<Database, 'audit_events'>;

function matching(eb: AuditWhere, filter: AuditFilter) {
  const conditions = [];
  if (filter.actions !== undefined) conditions.push(eb('action', 'in', filter.actions));
  if (filter.username !== undefined)
    conditions.push(eb(eb.fn('lower', ['username']), '=', eb.fn('lower', [eb.val(filter.username)])));
  if (filter.outcome !== undefined) conditions.push(eb('outcome', '=', filter.outcome));
  if (filter.since !== undefined) conditions.push(eb('occurred_at', '>=', filter.since));
  if (filter.until !== undefined) conditions.push(eb('occurred_at', '<', filter.until));
  return eb.and(conditions);
}

export class AuditEventRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(event: AuditEventRecord): Promise<void> {
    await this.db.insertInto('audit_events').values(event).execute();
  }

  /** Newest first; `before` is the (occurred_at, id) of the last event of the previous page. */
  async list(
    limit: number,
    before?: { occurredAt: string; id: string },
    filter: AuditFilter = {},
  ): Promise<AuditEventRecord[]> {
    let query = this.db
      .selectFrom('audit_events')
      .selectAll()
      .where((eb) => matching(eb, filter));
    if (before !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb('occurred_at', '<', before.occurredAt),
          eb.and([eb('occurred_at', '=', before.occurredAt), eb('id', '<', before.id)]),
        ]),
      );
    }
    return query.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  /**
   * Counts per hour and outcome, aggregated in SQL on both engines: every timestamp is stored
   * in one ISO-8601 UTC shape, so its first 13 characters name its hour, and `substr` means the
   * same on SQLite and PostgreSQL. Hours without events are absent; the caller fills them.
   */
  async countByHour(filter: AuditFilter): Promise<HourOutcomeCount[]> {
    const hour = sql<string>`substr(occurred_at, 1, 13)`;
    const rows = await this.db
      .selectFrom('audit_events')
      .select([hour.as('hour'), 'outcome', (eb) => eb.fn.countAll<number | string>().as('count')])
      .where((eb) => matching(eb, filter))
      .groupBy([hour, 'outcome'])
      .execute();
    // PostgreSQL answers count(*) as a bigint string.
    return rows.map((row) => ({ hour: row.hour, outcome: row.outcome, count: Number(row.count) }));
  }

  /** Deletes the events that occurred before `cutoff`; returns how many. */
  /** Deletes at most `limit` events older than `cutoff`; returns how many. */
  async deleteBefore(cutoff: Date, limit: number): Promise<number> {
    const result = await this.db
      .deleteFrom('audit_events')
      .where('id', 'in', (eb) =>
        eb.selectFrom('audit_events').select('id').where('occurred_at', '<', cutoff.toISOString()).limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async findById(id: string): Promise<AuditEventRecord | undefined> {
    return this.db.selectFrom('audit_events').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
