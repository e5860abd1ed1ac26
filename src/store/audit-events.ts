import type { Kysely, Selectable } from 'kysely';
import type { AuditEventsTable, Database } from './schema.js';

export type AuditEventRecord = Selectable<AuditEventsTable>;

export class AuditEventRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(event: AuditEventRecord): Promise<void> {
    await this.db.insertInto('audit_events').values(event).execute();
  }

  /** Newest first; `before` is the (occurred_at, id) of the last event of the previous page. */
  async list(limit: number, before?: { occurredAt: string; id: string }): Promise<AuditEventRecord[]> {
    let query = this.db.selectFrom('audit_events').selectAll();
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

  async findById(id: string): Promise<AuditEventRecord | undefined> {
    return this.db.selectFrom('audit_events').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
