import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addMinutes } from '../../src/clock.js';
import { type CliHarness, openCliHarness } from './cli-harness.js';

let harness: CliHarness;
beforeEach(async () => {
  harness = await openCliHarness();
});
afterEach(() => harness.close());

describe('cli: purge', () => {
  it('deletes revoked sessions and audit events older than AUDIT_RETENTION_DAYS, and says how many', async () => {
    const { store, clock } = harness;
    const john = await store.users.findByUsername('john');
    const now = clock.now();
    for (const id of ['ses_gone', 'ses_kept']) {
      await store.sessions.create({
        id,
        tokenHash: `hash-${id}`,
        csrfTokenHash: `csrf-${id}`,
        userId: john?.id ?? '',
        now,
        expiresAt: addMinutes(now, 60),
        userAgent: null,
        ip: null,
      });
    }
    await store.sessions.revoke('ses_gone', now);
    await store.auditEvents.insert({
      id: 'aud_ancient',
      occurred_at: addMinutes(now, -366 * 24 * 60).toISOString(),
      action: 'login.failed',
      outcome: 'failure',
      actor_user_id: null,
      actor_scheme: null,
      username: 'john',
      subject_type: null,
      subject_id: null,
      ip: null,
      user_agent: null,
      request_id: null,
      detail: null,
    });

    const run = await harness.cli(['purge']);
    expect(run).toMatchObject({
      code: 0,
      out: ['Purged 1 ended session(s) and 1 audit event(s) older than 365 days'],
    });
    expect(await store.sessions.findById('ses_gone')).toBeUndefined();
    expect(await store.sessions.findById('ses_kept')).toBeDefined();
    expect(await store.auditEvents.findById('aud_ancient')).toBeUndefined();
  });
});
