import type { Request } from 'express';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { newId } from '../crypto/tokens.js';
import type { AuditEventRepository } from '../store/audit-events.js';
import type { AuditOutcome } from '../store/schema.js';

export type AuditAction =
  | 'login.succeeded'
  | 'login.failed'
  | 'logout'
  | 'basic.failed'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'password.changed'
  | 'session.revoked'
  | 'user.created'
  | 'user.updated'
  | 'user.deleted';

export interface AuditEntry {
  action: AuditAction;
  outcome: AuditOutcome;
  /** The attempted username of a sign-in; never a password or any other secret. */
  username?: string;
  subject?: { type: 'user' | 'api_key' | 'session'; id: string };
  /** Non-secret facts only. */
  detail?: Record<string, string | number | boolean | null>;
}

/**
 * Writes who did what, when, from where, with what outcome. An audit write that fails is
 * logged and does not fail the request it describes.
 */
export class AuditLog {
  constructor(
    private readonly events: AuditEventRepository,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async record(req: Request, entry: AuditEntry): Promise<void> {
    const principal = req.auth?.principal;
    try {
      await this.events.insert({
        id: newId('evt'),
        occurred_at: this.clock.now().toISOString(),
        action: entry.action,
        outcome: entry.outcome,
        actor_user_id: principal?.user.id ?? null,
        actor_scheme: principal?.scheme ?? null,
        username: entry.username?.slice(0, 128) ?? null,
        subject_type: entry.subject?.type ?? null,
        subject_id: entry.subject?.id ?? null,
        ip: req.ip ?? null,
        user_agent: req.get('user-agent')?.slice(0, 512) ?? null,
        request_id: req.id === undefined ? null : String(req.id),
        detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
      });
    } catch (error) {
      this.logger.error({ err: error, action: entry.action }, 'audit event could not be written');
    }
  }
}
