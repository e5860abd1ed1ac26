import { addMinutes } from '../clock.js';
import type { SessionRecord } from '../store/sessions.js';

/** SESSION_IDLE_MINUTES and SESSION_ABSOLUTE_HOURS. */
export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

/** Sliding the idle window costs a write; once a minute per session is enough for a long window. */
const LONGEST_TOUCH_INTERVAL_MS = 60_000;

/**
 * How long last_seen_at may lag behind the last use. A session is idle-ended by what was
 * written, so the lag must stay well under the idle window: with a one-minute window and a
 * one-minute lag, a session in constant use would end after a minute.
 */
export function touchIntervalMs(policy: SessionPolicy): number {
  return Math.min(LONGEST_TOUCH_INTERVAL_MS, (policy.idleMinutes * 60_000) / 4);
}

/** Sessions last seen at or before this instant are over: idle for too long. */
export function idleCutoff(now: Date, idleMinutes: number): Date {
  return addMinutes(now, -idleMinutes);
}

export function idleEnd(record: SessionRecord, policy: SessionPolicy): Date {
  return addMinutes(new Date(record.last_seen_at), policy.idleMinutes);
}

/** When the session ends unless used again: the idle end, or the absolute end when that comes first. */
export function endOf(record: SessionRecord, policy: SessionPolicy): Date {
  const idle = idleEnd(record, policy);
  const absolute = new Date(record.expires_at);
  return idle < absolute ? idle : absolute;
}

/** A session is live until revoked, idle for too long, or past its absolute end. */
export function isLive(record: SessionRecord, now: Date, policy: SessionPolicy): boolean {
  return record.revoked_at === null && now < endOf(record, policy);
}
