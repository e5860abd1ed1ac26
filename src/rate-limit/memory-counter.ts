import type { Clock } from '../clock.js';
import type { Counter, CounterSpec } from './counters.js';
import type { CounterState } from './decisions.js';

export interface MemoryCounterOptions {
  /** The most keys held at once; past it the oldest window is forgotten first. */
  maxEntries?: number | undefined;
}

/**
 * Enough for every client and username an instance meets in a window, and at a few hundred
 * bytes a key, a bound on the memory one counter can take (tens of MB) whatever keys arrive.
 */
export const DEFAULT_MAX_ENTRIES = 100_000;

interface Entry {
  value: number;
  expiresAtMs: number;
}

/**
 * A counter in this process's memory. Its keys come from the outside (addresses, usernames),
 * so it holds at most `maxEntries`: a Map iterates in insertion order and every window of a
 * counter lasts as long, so its first key is the oldest window, the first to expire and the one
 * evicted when the map is full. Evicting a live key forgets that key's count early — the price of
 * a bound; an attacker needs `maxEntries` distinct keys within the window to cause it.
 */
export class MemoryCounter implements Counter {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;

  constructor(
    private readonly spec: CounterSpec,
    private readonly clock: Clock,
    { maxEntries = DEFAULT_MAX_ENTRIES }: MemoryCounterOptions = {},
  ) {
    this.maxEntries = Math.max(1, maxEntries);
  }

  get points(): number {
    return this.spec.points;
  }

  /** Keys held, expired ones not yet dropped included. */
  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<CounterState | undefined> {
    const now = this.clock.now().getTime();
    const entry = this.live(key, now);
    return entry === undefined ? undefined : stateOf(entry, now);
  }

  async add(key: string, points: number): Promise<CounterState> {
    const now = this.clock.now().getTime();
    const entry = this.live(key, now);
    if (entry === undefined) {
      // Points given back after their window closed (or were evicted) are not a credit for later.
      if (points <= 0) return { consumed: 0, msBeforeReset: 0 };
      return stateOf(this.put(key, points, now + this.spec.windowSeconds * 1000, now), now);
    }
    entry.value += points;
    // A count back at zero is the same as none: keep no entry for it.
    if (entry.value <= 0) this.entries.delete(key);
    return stateOf(entry, now);
  }

  async block(key: string, seconds: number): Promise<void> {
    const now = this.clock.now().getTime();
    this.put(key, this.spec.points + 1, now + seconds * 1000, now);
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.expiresAtMs > now) return entry;
    this.entries.delete(key);
    return undefined;
  }

  /** A new window for the key, as the newest entry; room is made by dropping the oldest. */
  private put(key: string, value: number, expiresAtMs: number, now: number): Entry {
    this.entries.delete(key);
    for (const [oldest, entry] of this.entries) {
      if (entry.expiresAtMs > now && this.entries.size < this.maxEntries) break;
      this.entries.delete(oldest);
    }
    const entry = { value, expiresAtMs };
    this.entries.set(key, entry);
    return entry;
  }
}

function stateOf(entry: Entry, now: number): CounterState {
  return { consumed: entry.value, msBeforeReset: entry.expiresAtMs - now };
}
