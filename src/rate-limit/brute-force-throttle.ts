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
  /** Failures of one account from everywhere per 24 h (distributed guessing; NIST 800-63B §5.2.2). */
  accountMaxFailures: number;
}

/** How long a run of consecutive failures is remembered without a success. */
const FAILURE_MEMORY_SECONDS = 24 * 3600;
const IP_WINDOW_SECONDS = 3600;
const ACCOUNT_WINDOW_SECONDS = 24 * 3600;

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
  /** Attempts at one account from every address (failed or in flight) in its 24-hour window. */
  private readonly accountFailures: Counter;
  /** One mark per account lock, so the lock is reported once per window, by whichever instance sees it first. */
  private readonly accountLocks: Counter;

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
    this.accountFailures = counters.create({
      name: 'login-account-failures',
      points: policy.accountMaxFailures,
      windowSeconds: ACCOUNT_WINDOW_SECONDS,
    });
    this.accountLocks = counters.create({
      name: 'login-account-locks',
      points: 1,
      windowSeconds: ACCOUNT_WINDOW_SECONDS,
    });
  }

  /**
   * Whether the username may be tried from the address now; nothing is counted. A client with
   * the account's device token (`trustedDevice`) is exempt from the account-wide lock, so
   * guessers elsewhere cannot lock the owner out; it keeps its own per-address allowance.
   */
  async check(username: string, ip: string | undefined, trustedDevice = false): Promise<ThrottleVerdict> {
    const [pairBlock, ipFailures, accountFailures] = await Promise.all([
      this.blocks.get(pairKey(username, ip)),
      this.ipFailures.get(addressKey(ip)),
      trustedDevice ? undefined : this.accountFailures.get(accountKey(username)),
    ]);
    return throttleVerdict(pairBlock, ipFailures, this.policy.ipMaxFailures, {
      failures: accountFailures,
      maxFailures: this.policy.accountMaxFailures,
    });
  }

  /**
   * Counts an attempt before the password is checked; a refused attempt is not counted. An
   * attempt let through says whether it took the probe slot, so `abandon` can give that back too.
   */
  async begin(username: string, ip: string | undefined, trustedDevice = false): Promise<Attempt> {
    const verdict = await this.check(username, ip, trustedDevice);
    if (verdict.blocked) return verdict;
    const key = pairKey(username, ip);
    const address = addressKey(ip);
    const account = accountKey(username);
    const [attempts, ipFailures, accountFailures] = await Promise.all([
      this.attempts.add(key, 1),
      this.ipFailures.add(address, 1),
      this.accountFailures.add(account, 1),
    ]);
    const refund = (): Promise<unknown> =>
      Promise.all([
        this.attempts.add(key, -1),
        this.ipFailures.add(address, -1),
        this.accountFailures.add(account, -1),
      ]);
    if (ipFailures.consumed > this.policy.ipMaxFailures) {
      await refund();
      return { blocked: true, retryAfterSeconds: retryAfterSeconds(ipFailures.msBeforeReset) };
    }
    if (!trustedDevice && accountFailures.consumed > this.policy.accountMaxFailures) {
      await refund();
      return { blocked: true, retryAfterSeconds: retryAfterSeconds(accountFailures.msBeforeReset) };
    }
    if (attempts.consumed <= this.policy.maxFailures) return NOT_BLOCKED;
    if (!(await consume(this.probes, key)).limited) return { blocked: false, probe: true };
    await refund();
    return { blocked: true, retryAfterSeconds: 1 };
  }

  /**
   * The attempt failed: after LOGIN_MAX_FAILURES in a row the pair is blocked, the block
   * doubling each time. `accountLocked` is true for the one failure that first brings the
   * account to ACCOUNT_MAX_FAILURES in its window (to be audited once).
   */
  async fail(username: string, ip: string | undefined): Promise<{ accountLocked: boolean }> {
    const key = pairKey(username, ip);
    const [attempts, accountFailures] = await Promise.all([
      this.attempts.get(key),
      this.accountFailures.get(accountKey(username)),
    ]);
    const seconds = blockSeconds(attempts?.consumed ?? 0, this.policy.maxFailures);
    if (seconds > 0) {
      await this.blocks.block(key, seconds);
      // When this block runs out, one more guess may go through.
      await this.probes.delete(key);
    }
    const locked = (accountFailures?.consumed ?? 0) >= this.policy.accountMaxFailures;
    return { accountLocked: locked && !(await consume(this.accountLocks, accountKey(username))).limited };
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
      this.accountFailures.add(accountKey(username), -1),
      !attempt.blocked && attempt.probe === true ? this.probes.delete(key) : undefined,
    ]);
  }

  /**
   * The attempt succeeded: the pair's run of failures ends; the address's and the account's
   * counts give back this attempt. The account's failures stay counted for their 24 hours:
   * the owner signing in does not hand guessers another ACCOUNT_MAX_FAILURES tries.
   */
  async succeed(username: string, ip: string | undefined): Promise<void> {
    const key = pairKey(username, ip);
    await Promise.all([
      this.attempts.delete(key),
      this.blocks.delete(key),
      this.probes.delete(key),
      this.ipFailures.add(addressKey(ip), -1),
      this.accountFailures.add(accountKey(username), -1),
    ]);
  }
}

/** Usernames are hashed into the key: bounded length, no odd characters in Redis keys. */
function pairKey(username: string, ip: string | undefined): string {
  return `${addressKey(ip)}:${sha256Hex(usernameKey(username)).slice(0, 32)}`;
}

/** Unknown usernames get an account key too, so the lock reveals nothing about which exist. */
function accountKey(username: string): string {
  return `account:${sha256Hex(usernameKey(username)).slice(0, 32)}`;
}
