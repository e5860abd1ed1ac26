import type { Clock } from '../clock.js';
import { CounterTable, NO_ENTRY } from './counter-table.js';
import type { Counter, CounterSpec } from './counters.js';
import type { CounterState } from './decisions.js';

export interface MemoryCounterOptions {
  /** The most keys held at once; past it the oldest window is forgotten first. */
  maxEntries?: number | undefined;
}

/**
 * Enough for every client and username an instance meets in a window, and at 40 bytes a key
 * (CounterTable), a bound of 4 MB on the memory one counter can take whatever keys arrive.
 */
export const DEFAULT_MAX_ENTRIES = 100_000;

/**
 * A counter in this process's memory. Its keys come from the outside (addresses, usernames),
 * so it holds at most `maxEntries`, in a CounterTable kept oldest first. Every window of a
 * counter lasts as long, so the oldest entry is the first to expire and the one evicted when the
 * table is full. Evicting a live key forgets that key's count early — the price of a bound; an
 * attacker needs `maxEntries` distinct keys within the window to cause it.
 */
export class MemoryCounter implements Counter {
  private readonly table: CounterTable;

  constructor(
    private readonly spec: CounterSpec,
    private readonly clock: Clock,
    { maxEntries = DEFAULT_MAX_ENTRIES }: MemoryCounterOptions = {},
  ) {
    this.table = new CounterTable(Math.max(1, maxEntries));
  }

  get points(): number {
    return this.spec.points;
  }

  /** Keys held, expired ones not yet dropped included. */
  get size(): number {
    return this.table.size;
  }

  async get(key: string): Promise<CounterState | undefined> {
    const now = this.clock.now().getTime();
    const entry = this.live(key, now);
    return entry === NO_ENTRY ? undefined : this.stateOf(entry, now);
  }

  async add(key: string, points: number): Promise<CounterState> {
    const now = this.clock.now().getTime();
    const entry = this.live(key, now);
    if (entry === NO_ENTRY) {
      // Points given back after their window closed (or were evicted) are not a credit for later.
      if (points <= 0) return { consumed: 0, msBeforeReset: 0 };
      return this.stateOf(this.put(key, points, now + this.spec.windowSeconds * 1000, now), now);
    }
    const value = this.table.value(entry) + points;
    const state = { consumed: value, msBeforeReset: this.table.expiresAt(entry) - now };
    // A count back at zero is the same as none: keep no entry for it.
    if (value <= 0) this.table.remove(entry);
    else this.table.setValue(entry, value);
    return state;
  }

  async block(key: string, seconds: number): Promise<void> {
    const now = this.clock.now().getTime();
    const held = this.table.find(key);
    if (held !== NO_ENTRY) this.table.remove(held);
    this.put(key, this.spec.points + 1, now + seconds * 1000, now);
  }

  async delete(key: string): Promise<void> {
    const entry = this.table.find(key);
    if (entry !== NO_ENTRY) this.table.remove(entry);
  }

  private live(key: string, now: number): number {
    const entry = this.table.find(key);
    if (entry === NO_ENTRY || this.table.expiresAt(entry) > now) return entry;
    this.table.remove(entry);
    return NO_ENTRY;
  }

  /** A new window for a key the table does not hold, as the newest entry; room is made by dropping the oldest. */
  private put(key: string, value: number, expiresAtMs: number, now: number): number {
    const { table } = this;
    for (let oldest = table.oldest; oldest !== NO_ENTRY; oldest = table.oldest) {
      if (table.expiresAt(oldest) > now && table.size < table.capacity) break;
      table.remove(oldest);
    }
    return table.insert(key, value, expiresAtMs);
  }

  private stateOf(entry: number, now: number): CounterState {
    return { consumed: this.table.value(entry), msBeforeReset: this.table.expiresAt(entry) - now };
  }
}
