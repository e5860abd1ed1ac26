import type { Counter, CounterStore } from '../rate-limit/counters.js';
import { addressKey, retryAfterSeconds } from '../rate-limit/decisions.js';

const WINDOW_SECONDS = 3600;

export type PasskeyAttempt = { blocked: false; key: string } | { blocked: true; retryAfterSeconds: number };

/**
 * Failed passkey sign-ins per address. A passkey cannot be guessed, but each attempt costs a
 * signature check and lookups, and a flood of them is someone probing: past `maxFailures` in an
 * hour an address is refused before anything is checked. Attempts count when they begin, so a
 * parallel burst cannot all pass before the first failure lands; a success gives its point back.
 */
export class PasskeyThrottle {
  private readonly failures: Counter;

  constructor(counters: CounterStore, maxFailures: number) {
    this.failures = counters.create({ name: 'passkey-failures', points: maxFailures, windowSeconds: WINDOW_SECONDS });
  }

  async begin(ip: string | undefined): Promise<PasskeyAttempt> {
    const key = addressKey(ip);
    const state = await this.failures.add(key, 1);
    // The limit is on the failures before this attempt.
    if (state.consumed - 1 < this.failures.points) return { blocked: false, key };
    await this.failures.add(key, -1);
    return { blocked: true, retryAfterSeconds: retryAfterSeconds(state.msBeforeReset) };
  }

  /** The attempt verified, or could not be checked (the store failed): it was no failure. */
  async release(attempt: { key: string }): Promise<void> {
    await this.failures.add(attempt.key, -1);
  }
}
