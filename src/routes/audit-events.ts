import { Router } from 'express';
import type { components } from '../../generated/openapi.js';
import type { ResponseJson } from '../http/contract-types.js';
import { pageOf, pageRequest, unknownCursor } from '../http/pagination.js';
import type { AuditEventRecord } from '../store/audit-events.js';
import type { Store } from '../store/store.js';

type AuditEventJson = components['schemas']['AuditEvent'];

function auditEventJson(event: AuditEventRecord): AuditEventJson {
  return { ...event, detail: event.detail === null ? null : (JSON.parse(event.detail) as AuditEventJson['detail']) };
}

/** The audit trail, newest first, for admins. */
export function auditEventRoutes({ store }: { store: Store }): Router {
  const router = Router();

  router.get('/audit-events', async (req, res) => {
    const { limit, startingAfter } = pageRequest(req);
    let before: { occurredAt: string; id: string } | undefined;
    if (startingAfter !== undefined) {
      const last = await store.auditEvents.findById(startingAfter);
      if (last === undefined) throw unknownCursor('audit event');
      before = { occurredAt: last.occurred_at, id: last.id };
    }
    const page = pageOf(await store.auditEvents.list(limit + 1, before), limit);
    const body: ResponseJson<'listAuditEvents', 200> = { data: page.data.map(auditEventJson), has_more: page.has_more };
    res.json(body);
  });

  return router;
}
