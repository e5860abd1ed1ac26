import type { components } from '../../generated/openapi.js';
import type { HourOutcomeCount } from '../store/audit-events.js';

type HourCount = components['schemas']['HourCount'];

const HOUR_MS = 3_600_000;
export const STATS_HOURS = 24;

export interface StatsWindow {
  /** The start of the oldest hour. */
  since: Date;
  /** The end of the current hour. */
  until: Date;
}

/** The last 24 hours as whole UTC hours, the current (still filling) hour last. */
export function statsWindow(now: Date): StatsWindow {
  const currentHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  return { since: new Date(currentHour - (STATS_HOURS - 1) * HOUR_MS), until: new Date(currentHour + HOUR_MS) };
}

/** One bucket per hour of the window, oldest first, zero where the store had nothing. */
export function hourlyBuckets(window: StatsWindow, counts: HourOutcomeCount[]): HourCount[] {
  const byHour = new Map<string, HourCount>();
  const buckets: HourCount[] = [];
  for (let i = 0; i < STATS_HOURS; i++) {
    const hour = new Date(window.since.getTime() + i * HOUR_MS).toISOString();
    const bucket = { hour, success: 0, failure: 0 };
    // `YYYY-MM-DDTHH`, the key the store groups by.
    byHour.set(hour.slice(0, 13), bucket);
    buckets.push(bucket);
  }
  for (const { hour, outcome, count } of counts) {
    const bucket = byHour.get(hour);
    if (bucket !== undefined) bucket[outcome] += count;
  }
  return buckets;
}
