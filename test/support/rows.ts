import { newId } from '../../src/crypto/tokens.js';
import type { AuditEventRecord } from '../../src/store/audit-events.js';

/** An audit event row as the store keeps it: a failed sign-in now, nobody acting, unless `fields` say otherwise. */
export function auditEventRow(fields: Partial<AuditEventRecord> = {}): AuditEventRecord {
  return {
    id: newId('evt'),
    occurred_at: new Date().toISOString(),
    action: 'login.failed',
    outcome: 'failure',
    actor_user_id: null,
    actor_scheme: null,
    username: null,
    subject_type: null,
    subject_id: null,
    ip: null,
    user_agent: null,
    request_id: null,
    detail: null,
    ...fields,
  };
}
