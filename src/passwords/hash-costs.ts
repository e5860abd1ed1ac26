import type { Clock } from '../clock.js';
import type { PasswordHasher } from '../crypto/password-hasher.js';
import type { UserRepository } from '../store/users.js';

/** Often enough to follow new users and other instances' rehashes; rare enough to cost nothing. */
const RECOUNT_MINUTES = 10;

/**
 * Which bcrypt cost most stored password hashes have, so the dummy compare for an unknown
 * username costs what a real user's compare costs even while hashes are being moved to a new
 * BCRYPT_COST (otherwise timing tells known usernames from unknown ones). The store counts at
 * the first sign-in and every ten minutes after; this instance's own rehashes move the count
 * at once. The hasher keeps one dummy hash per cost and is asked to make the majority's early.
 */
export class HashCostCensus {
  private counts: Map<number, number> | undefined;
  private countedAtMs = 0;
  private counting: Promise<Map<number, number>> | undefined;

  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
  ) {}

  /** The cost of most stored hashes; BCRYPT_COST while there are none. */
  async majorityCost(): Promise<number> {
    const counts = await this.current();
    let best = this.hasher.cost;
    let bestCount = 0;
    for (const [cost, count] of counts) {
      if (count > bestCount || (count === bestCount && cost === this.hasher.cost)) {
        best = cost;
        bestCount = count;
      }
    }
    return best;
  }

  /** One hash moved from one cost to another (a rehash at sign-in). */
  moved(from: number | undefined, to: number): void {
    if (this.counts === undefined) return;
    if (from !== undefined) this.counts.set(from, Math.max(0, (this.counts.get(from) ?? 0) - 1));
    this.counts.set(to, (this.counts.get(to) ?? 0) + 1);
    void this.majorityCost().then((cost) => this.hasher.prepareDummy(cost));
  }

  private async current(): Promise<Map<number, number>> {
    const stale = this.clock.now().getTime() - this.countedAtMs >= RECOUNT_MINUTES * 60_000;
    if (this.counts !== undefined && !stale) return this.counts;
    this.counting ??= this.users.hashCostCounts().finally(() => {
      this.counting = undefined;
    });
    try {
      this.counts = await this.counting;
      this.countedAtMs = this.clock.now().getTime();
    } catch (error) {
      // Keep the last count when there is one: a failed recount must not fail a sign-in, nor
      // be tried again by every sign-in while the store is failing.
      if (this.counts === undefined) throw error;
      this.countedAtMs = this.clock.now().getTime();
    }
    return this.counts;
  }
}
