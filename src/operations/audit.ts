import type { components } from '../../generated/openapi.js';
import { hourlyBuckets, statsWindow } from '../audit/hourly-counts.js';
import type { Clock } from '../clock.js';
import { validationFailed } from '../errors/api-error.js';
import { listPage } from '../http/pagination.js';
import type { AuditEventRecord, AuditFilter } from '../store/audit-events.js';
import type { Store } from '../store/store.js';
import type { OperationInput, Operations } from './operation.js';

type AuditEventJson = components['schemas']['AuditEvent'];

function auditEventJson(event: AuditEventRecord): AuditEventJson {
  return { ...event, detail: event.detail === null ? null : (JSON.parse(event.detail) as AuditEventJson['detail']) };
}

/** One `?action=` may arrive as a string, several as an array; the validator has checked each. */
function actionsOf(action: unknown): string[] | undefined {
  if (typeof action === 'string') return [action];
  return Array.isArray(action) ? action.map(String) : undefined;
}

/** Instants may come with any offset; the store compares them as UTC strings. */
function utc(instant: string | undefined): string | undefined {
  return instant === undefined ? undefined : new Date(instant).toISOString();
}

/** The list's filters from its validated query, the instants in UTC. */
function auditFilter(query: OperationInput<'listAuditEvents'>['query']): AuditFilter {
  const filter: AuditFilter = {
    actions: actionsOf(query.action),
    username: query.username,
    outcome: query.outcome,
    since: utc(query.since),
    until: utc(query.until),
  };
  if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until)
    throw validationFailed([{ path: '/query/since', message: 'must be before until' }]);
  return filter;
}

export interface AuditOperationDeps {
  store: Store;
  clock: Clock;
}

/** The audit trail, newest first, and its hourly counts, for admins. */
export function auditOperations({
  store,
  clock,
}: AuditOperationDeps): Operations<'listAuditEvents' | 'getAuditEventStats'> {
  return {
    listAuditEvents: async ({ query }) => {
      const filter = auditFilter(query);
      const page = await listPage(query, {
        find: (id) => store.auditEvents.findById(id),
        what: 'audit event',
        list: (limit, after) =>
          store.auditEvents.list(
            limit,
            after === undefined ? undefined : { occurredAt: after.occurred_at, id: after.id },
            filter,
          ),
      });
      return { status: 200, body: { data: page.data.map(auditEventJson), has_more: page.has_more } };
    },
    getAuditEventStats: async ({ query }) => {
      const window = statsWindow(clock.now());
      const counts = await store.auditEvents.countByHour({
        actions: actionsOf(query.action),
        since: window.since.toISOString(),
        until: window.until.toISOString(),
      });
      return {
        status: 200,
        body: {
          since: window.since.toISOString(),
          until: window.until.toISOString(),
          buckets: hourlyBuckets(window, counts),
        },
      };
    },
  };
}
