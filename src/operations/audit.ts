import type { components } from '../../generated/openapi.js';
import { pageOf, pageRequest, unknownCursor } from '../http/pagination.js';
import type { AuditEventRecord } from '../store/audit-events.js';
import type { Store } from '../store/store.js';
import type { Operations } from './operation.js';

type AuditEventJson = components['schemas']['AuditEvent'];

function auditEventJson(event: AuditEventRecord): AuditEventJson {
  return { ...event, detail: event.detail === null ? null : (JSON.parse(event.detail) as AuditEventJson['detail']) };
}

/** The audit trail, newest first, for admins. */
export function auditOperations({ store }: { store: Store }): Operations<'listAuditEvents'> {
  return {
    listAuditEvents: async ({ query }) => {
      const { limit, startingAfter } = pageRequest(query);
      let before: { occurredAt: string; id: string } | undefined;
      if (startingAfter !== undefined) {
        const last = await store.auditEvents.findById(startingAfter);
        if (last === undefined) throw unknownCursor('audit event');
        before = { occurredAt: last.occurred_at, id: last.id };
      }
      const page = pageOf(await store.auditEvents.list(limit + 1, before), limit);
      return { status: 200, body: { data: page.data.map(auditEventJson), has_more: page.has_more } };
    },
  };
}
