import type { Clock } from '../../src/clock.js';

/** A clock that only moves when a test moves it. */
export class ManualClock implements Clock {
  private current: Date;

  constructor(start = new Date('2026-01-01T09:00:00.000Z')) {
    this.current = start;
  }

  now(): Date {
    return new Date(this.current);
  }

  advanceMinutes(minutes: number): void {
    this.advanceSeconds(minutes * 60);
  }

  advanceSeconds(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}
