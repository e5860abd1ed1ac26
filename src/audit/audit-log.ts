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
  | 'account.locked'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'api_key.deleted'
  | 'password.changed'
  | 'session.revoked'
  | 'session.confirmed'
  | 'passkey.added'
  | 'passkey.deleted'
  | 'passkey.reset'
  | 'user.created'
  | 'user.updated'
  | 'user.deleted'
  | 'login.mfa_required'
  | 'totp.enrolment_started'
  | 'totp.enabled'
  | 'totp.disabled'
  | 'recovery_codes.regenerated'
  | 'recovery_code.used'
  | 'second_factors.reset';

export interface AuditEntry {
  action: AuditAction;
  outcome: AuditOutcome;
  /** The username a sign-in tried, or the subject user's; never a password or any other secret. */
  username?: string;
  subject?: { type: 'user' | 'api_key' | 'session' | 'passkey'; id: string };
  /** Non-secret facts only. */
  detail?: Record<string, string | number | boolean | null>;
}

/** Who acted and from where: read from a request, or fixed for the admin CLI. */
export interface AuditOrigin {
  actorUserId: string | null;
  actorScheme: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/** The admin CLI acts with shell access to the database, not with a credential of the service. */
export const CLI_ORIGIN: Readonly<AuditOrigin> = Object.freeze({
  actorUserId: null,
  actorScheme: 'cli',
  ip: null,
  userAgent: null,
  requestId: null,
});

export function requestOrigin(req: Request): AuditOrigin {
  const principal = req.auth?.principal;
  return {
    actorUserId: principal?.user.id ?? null,
    actorScheme: principal?.scheme ?? null,
    ip: req.ip ?? null,
    userAgent: req.get('user-agent')?.slice(0, 512) ?? null,
    requestId: req.id === undefined ? null : String(req.id),
  };
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
    await this.recordFrom(requestOrigin(req), entry);
  }

  /** An account reached ACCOUNT_MAX_FAILURES: only clients with its device cookie may try it until the window ends. */
  async accountLocked(username: string, req: Request | undefined, userId: string | undefined): Promise<void> {
    await this.recordFrom(req === undefined ? CLI_ORIGIN : requestOrigin(req), {
      action: 'account.locked',
      outcome: 'failure',
      username,
      ...(userId === undefined ? {} : { subject: { type: 'user' as const, id: userId } }),
    });
  }

  async recordFrom(origin: AuditOrigin, entry: AuditEntry): Promise<void> {
    try {
      await this.events.insert({
        id: newId('evt'),
        occurred_at: this.clock.now().toISOString(),
        action: entry.action,
        outcome: entry.outcome,
        actor_user_id: origin.actorUserId,
        actor_scheme: origin.actorScheme,
        username: entry.username?.slice(0, 128) ?? null,
        subject_type: entry.subject?.type ?? null,
        subject_id: entry.subject?.id ?? null,
        ip: origin.ip,
        user_agent: origin.userAgent,
        request_id: origin.requestId,
        detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
      });
    } catch (error) {
      this.logger.error({ err: error, action: entry.action }, 'audit event could not be written');
    }
  }
}
