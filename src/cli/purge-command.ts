import { purgeExpired } from '../retention/purge.js';
import type { Command } from './command.js';

/** The service's retention sweep, on demand (e.g. from cron when the service runs without one). */
export const purgeCommand: Command = {
  name: 'purge',
  usage: 'purge',
  summary: 'Delete revoked and ended sessions, and audit events older than AUDIT_RETENTION_DAYS',
  arguments: [],
  options: {},
  async run(ctx) {
    const { config } = ctx;
    const result = await purgeExpired(ctx.store, ctx.clock.now(), {
      auditRetentionDays: config.auditRetentionDays,
      sessionIdleMinutes: config.sessionIdleMinutes,
    });
    if (!result.purged) {
      ctx.io.out('Another instance is purging right now; nothing done');
      return;
    }
    ctx.io.out(
      `Purged ${result.sessions} ended session(s) and ${result.auditEvents} audit event(s) older than ${config.auditRetentionDays} days`,
    );
  },
};
