import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.js';
import { type SessionPolicy, touchIntervalMs } from '../../src/sessions/session-policy.js';
import { Sessions } from '../../src/sessions/sessions.js';
import { openStore, type Store } from '../../src/store/store.js';
import type { UserRecord } from '../../src/store/users.js';
import { ManualClock } from '../support/manual-clock.js';

let store: Store;
let clock: ManualClock;
let user: UserRecord;

beforeEach(async () => {
  store = await openStore('sqlite::memory:');
  clock = new ManualClock();
  user = await store.users.create({
    id: 'usr_sessions000000',
    username: 'carol',
    passwordHash: 'not a real hash',
    role: 'user',
    now: clock.now(),
  });
});
afterEach(() => store.close());

function sessionsWith(policy: SessionPolicy): Sessions {
  const audit = new AuditLog(store.auditEvents, clock, pino({ level: 'silent' }));
  return new Sessions({ repository: store.sessions, clock, policy, audit });
}

describe('Sessions.validate', () => {
  it('keeps a session in constant use alive under a one-minute idle timeout', async () => {
    const sessions = sessionsWith({ idleMinutes: 1, absoluteHours: 12 });
    const { token } = await sessions.start(user, { userAgent: null, ip: null });
    for (let second = 20; second <= 180; second += 20) {
      clock.advanceSeconds(20);
      expect(await sessions.validate(token), `used at ${second} s`).not.toBeNull();
    }
  });

  it('ends a session left alone for the idle timeout', async () => {
    const sessions = sessionsWith({ idleMinutes: 1, absoluteHours: 12 });
    const { token } = await sessions.start(user, { userAgent: null, ip: null });
    clock.advanceSeconds(59);
    expect(await sessions.validate(token)).not.toBeNull();
    clock.advanceSeconds(60);
    expect(await sessions.validate(token)).toBeNull();
  });

  it('writes last_seen_at at most once a minute under the default idle timeout', async () => {
    const sessions = sessionsWith({ idleMinutes: 30, absoluteHours: 12 });
    const { token, record } = await sessions.start(user, { userAgent: null, ip: null });
    clock.advanceSeconds(59);
    await sessions.validate(token);
    expect((await store.sessions.findById(record.id))?.last_seen_at).toBe(record.last_seen_at);
    clock.advanceSeconds(1);
    await sessions.validate(token);
    expect((await store.sessions.findById(record.id))?.last_seen_at).toBe(clock.now().toISOString());
  });

  it('null for a token of the wrong shape, an unknown token and a disabled owner', async () => {
    const sessions = sessionsWith({ idleMinutes: 30, absoluteHours: 12 });
    const { token } = await sessions.start(user, { userAgent: null, ip: null });
    expect(await sessions.validate('short')).toBeNull();
    expect(await sessions.validate('x'.repeat(43))).toBeNull();
    await store.users.update(user.id, { disabled: true }, clock.now());
    expect(await sessions.validate(token)).toBeNull();
  });
});

describe('touchIntervalMs', () => {
  it('is a minute for long idle windows and a quarter of short ones', () => {
    expect(touchIntervalMs({ idleMinutes: 30, absoluteHours: 12 })).toBe(60_000);
    expect(touchIntervalMs({ idleMinutes: 4, absoluteHours: 12 })).toBe(60_000);
    expect(touchIntervalMs({ idleMinutes: 1, absoluteHours: 12 })).toBe(15_000);
  });
});
