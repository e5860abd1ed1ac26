import { sha256Hex } from '../crypto/tokens.js';
import { usernameKey } from '../store/users.js';
import { type Counter, type CounterStore, consume } from './counters.js';
import {
  addressKey,
  blockSeconds,
  MAX_BLOCK_SECONDS,
  NOT_BLOCKED,
  retryAfterSeconds,
  type ThrottleVerdict,
  throttleVerdict,
} from './decisions.js';

/** What `begin` decided; an attempt let through past the allowance holds the probe slot. */
export type Attempt = { blocked: false; probe?: boolean } | { blocked: true; retryAfterSeconds: number };

export interface ThrottlePolicy {
  /** Consecutive failures of one username from one address before it is blocked. */
  maxFailures: number;
  /** Failures of one address across all usernames per hour (credential stuffing). */
  ipMaxFailures: number;
}

/** How long a run of consecutive failures is remembered without a success. */
const FAILURE_MEMORY_SECONDS = 24 * 3600;
const IP_WINDOW_SECONDS = 3600;

/**
 * Guards password checks (/login, Basic on every route, a password change) against guessing.
 * `begin` runs before bcrypt and counts the attempt then, atomically, so a burst of parallel
 * guesses cannot all pass before the first failure is counted: past the allowance only one
 * guess at a time goes through. A blocked guess costs no CPU, and while blocked even the right
 * password is held back. Unknown usernames are counted like known ones, so the throttle reveals
 * nothing. Every `begin` that lets an attempt through is closed by `fail`, `succeed` or `abandon`.
 */
export class BruteForceThrottle {
  /** Attempts of a username from an address since its last success (failed or in flight). */
  private readonly attempts: Counter;
  private readonly blocks: Counter;
  /** Past the allowance, the one guess allowed at a time (e.g. when a block has run out). */
  private readonly probes: Counter;
  private readonly ipFailures: Counter;

  constructor(
    counters: CounterStore,
    private readonly policy: ThrottlePolicy,
  ) {
    this.attempts = counters.create({
      name: 'login-failures',
      points: Number.MAX_SAFE_INTEGER,
      windowSeconds: FAILURE_MEMORY_SECONDS,
    });
    this.blocks = counters.create({ name: 'login-blocks', points: 1, windowSeconds: MAX_BLOCK_SECONDS });
    this.probes = counters.create({ name: 'login-probes', points: 1, windowSeconds: FAILURE_MEMORY_SECONDS });
    this.ipFailures = counters.create({
      name: 'login-ip-failures',
      points: policy.ipMaxFailures,
      windowSeconds: IP_WINDOW_SECONDS,
    });
  }

  /** Whether the username may be tried from the address now; nothing is counted. */
  async check(username: string, ip: string | undefined): Promise<ThrottleVerdict> {
    const [pairBlock, ipFailures] = await Promise.all([
      this.blocks.get(pairKey(username, ip)),
      this.ipFailures.get(addressKey(ip)),
    ]);
    return throttleVerdict(pairBlock, ipFailures, this.policy.ipMaxFailures);
  }

  /**
   * Counts an attempt before the password is checked; a refused attempt is not counted. An
   * attempt let through says whether it took the probe slot, so `abandon` can give that back too.
   */
  async begin(username: string, ip: string | undefined): Promise<Attempt> {
    const verdict = await this.check(username, ip);
    if (verdict.blocked) return verdict;
    const key = pairKey(username, ip);
    const address = addressKey(ip);
    const [attempts, ipFailures] = await Promise.all([this.attempts.add(key, 1), this.ipFailures.add(address, 1)]);
    const refund = (): Promise<unknown> => Promise.all([this.attempts.add(key, -1), this.ipFailures.add(address, -1)]);
    if (ipFailures.consumed > this.policy.ipMaxFailures) {
      await refund();
      return { blocked: true, retryAfterSeconds: retryAfterSeconds(ipFailures.msBeforeReset) };
    }
    if (attempts.consumed <= this.policy.maxFailures) return NOT_BLOCKED;
    if (!(await consume(this.probes, key)).limited) return { blocked: false, probe: true };
    await refund();
    return { blocked: true, retryAfterSeconds: 1 };
  }

  /** The attempt failed: after LOGIN_MAX_FAILURES in a row the pair is blocked, the block doubling each time. */
  async fail(username: string, ip: string | undefined): Promise<void> {
    const key = pairKey(username, ip);
    const attempts = await this.attempts.get(key);
    const seconds = blockSeconds(attempts?.consumed ?? 0, this.policy.maxFailures);
    if (seconds === 0) return;
    await this.blocks.block(key, seconds);
    // When this block runs out, one more guess may go through.
    await this.probes.delete(key);
  }

  /**
   * The password could not be checked (the store failed): the attempt leaves no trace — its
   * count and, when it was the probe, the probe slot are given back — so an outage locks no one out.
   */
  async abandon(username: string, ip: string | undefined, attempt: Attempt): Promise<void> {
    const key = pairKey(username, ip);
    await Promise.all([
      this.attempts.add(key, -1),
      this.ipFailures.add(addressKey(ip), -1),
      !attempt.blocked && attempt.probe === true ? this.probes.delete(key) : undefined,
    ]);
  }

  /** The attempt succeeded: the run of failures ends; the address's count gives back this attempt. */
  async succeed(username: string, ip: string | undefined): Promise<void> {
    const key = pairKey(username, ip);
    await Promise.all([
      this.attempts.delete(key),
      this.blocks.delete(key),
      this.probes.delete(key),
      this.ipFailures.add(addressKey(ip), -1),
    ]);
  }
}

/** Usernames are hashed into the key: bounded length, no odd characters in Redis keys. */
function pairKey(username: string, ip: string | undefined): string {
  return `${addressKey(ip)}:${sha256Hex(usernameKey(username)).slice(0, 32)}`;
}
