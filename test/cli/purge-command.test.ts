import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addMinutes } from '../../src/clock.js';
import { auditEventRow } from '../support/rows.js';
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
    const daysAgo = (days: number) => addMinutes(now, -days * 24 * 60).toISOString();
    await store.auditEvents.insert(auditEventRow({ id: 'aud_ancient', occurred_at: daysAgo(366), username: 'john' }));
    await store.auditEvents.insert(auditEventRow({ id: 'aud_within', occurred_at: daysAgo(364), username: 'john' }));

    const run = await harness.cli(['purge']);
    expect(run).toMatchObject({
      code: 0,
      out: ['Purged 1 ended session(s) and 1 audit event(s) older than 365 days'],
    });
    expect(await store.sessions.findById('ses_gone')).toBeUndefined();
    expect(await store.sessions.findById('ses_kept')).toBeDefined();
    expect(await store.auditEvents.findById('aud_ancient')).toBeUndefined();
    expect(await store.auditEvents.findById('aud_within')).toBeDefined();
  });
});
