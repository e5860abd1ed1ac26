import { sha256Hex } from '../crypto/tokens.js';
import { usernameKey } from '../store/users.js';
import { type Counter, type CounterStore, consume } from './counters.js';
import {
  addressKey,
  blockSeconds,
  type CounterState,
  MAX_BLOCK_SECONDS,
  type ThrottleVerdict,
  throttleVerdict,
} from './decisions.js';

/** The counter keys of one attempt: the username is hashed once, when the attempt begins. */
export interface AttemptKeys {
  pair: string;
  address: string;
  account: string;
}

/** An attempt `begin` let through, with what it counted; closed by `fail`, `succeed` or `abandon`. */
export interface Admitted {
  blocked: false;
  keys: AttemptKeys;
  /** Whether it holds the one slot past the allowance, given back if the attempt is abandoned. */
  probe: boolean;
  /** Attempts of the pair since its last success, this one included. */
  failures: number;
  /** Attempts at the account in its window, this one included. */
  accountFailures: number;
}

export type Attempt = Admitted | { blocked: true; retryAfterSeconds: number };

export interface AttemptOptions {
  /** The client holds the account's device token: exempt from the account-wide lock. */
  trustedDevice?: boolean;
}

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
  async check(
    username: string,
    ip: string | undefined,
    { trustedDevice = false }: AttemptOptions = {},
  ): Promise<ThrottleVerdict> {
    const keys = keysOf(username, ip);
    const [pairBlock, addressFailures, accountFailures] = await Promise.all([
      this.blocks.get(keys.pair),
      this.ipFailures.get(keys.address),
      trustedDevice ? undefined : this.accountFailures.get(keys.account),
    ]);
    return this.verdict(pairBlock, addressFailures, accountFailures);
  }

  /**
   * Counts an attempt before the password is checked, reading the pair's block in the same
   * step; the counts it adds say whether the address or the account was already over its limit.
   * A refused attempt is given back, so it leaves the counts as they were.
   */
  async begin(
    username: string,
    ip: string | undefined,
    { trustedDevice = false }: AttemptOptions = {},
  ): Promise<Attempt> {
    const keys = keysOf(username, ip);
    const [pairBlock, attempts, addressFailures, accountFailures] = await Promise.all([
      this.blocks.get(keys.pair),
      this.attempts.add(keys.pair, 1),
      this.ipFailures.add(keys.address, 1),
      this.accountFailures.add(keys.account, 1),
    ]);
    // Limits are on the failures before this attempt: its own point does not count against it.
    const verdict = this.verdict(
      pairBlock,
      before(addressFailures),
      trustedDevice ? undefined : before(accountFailures),
    );
    if (verdict.blocked) {
      await this.giveBack(keys);
      return verdict;
    }
    const admitted: Admitted = {
      blocked: false,
      keys,
      probe: false,
      failures: attempts.consumed,
      accountFailures: accountFailures.consumed,
    };
    if (attempts.consumed <= this.policy.maxFailures) return admitted;
    if (!(await consume(this.probes, keys.pair)).limited) return { ...admitted, probe: true };
    await this.giveBack(keys);
    return { blocked: true, retryAfterSeconds: 1 };
  }

  /**
   * The attempt failed: after LOGIN_MAX_FAILURES in a row the pair is blocked, the block
   * doubling each time. `accountLocked` is true for the one failure that first brings the
   * account to ACCOUNT_MAX_FAILURES in its window (to be audited once).
   */
  async fail(attempt: Admitted): Promise<{ accountLocked: boolean }> {
    const { keys } = attempt;
    const seconds = blockSeconds(attempt.failures, this.policy.maxFailures);
    if (seconds > 0) {
      await this.blocks.block(keys.pair, seconds);
      // When this block runs out, one more guess may go through.
      await this.probes.delete(keys.pair);
    }
    const locked = attempt.accountFailures >= this.policy.accountMaxFailures;
    return { accountLocked: locked && !(await consume(this.accountLocks, keys.account)).limited };
  }

  /**
   * The password could not be checked (the store failed): the attempt leaves no trace — its
   * count and, when it was the probe, the probe slot are given back — so an outage locks no one out.
   */
  async abandon(attempt: Admitted): Promise<void> {
    await Promise.all([this.giveBack(attempt.keys), attempt.probe ? this.probes.delete(attempt.keys.pair) : undefined]);
  }

  /**
   * The attempt succeeded: the pair's run of failures ends; the address's and the account's
   * counts give back this attempt. The account's failures stay counted for their 24 hours:
   * the owner signing in does not hand guessers another ACCOUNT_MAX_FAILURES tries.
   */
  async succeed(attempt: Admitted): Promise<void> {
    const { keys } = attempt;
    await Promise.all([
      this.attempts.delete(keys.pair),
      this.blocks.delete(keys.pair),
      this.probes.delete(keys.pair),
      this.ipFailures.add(keys.address, -1),
      this.accountFailures.add(keys.account, -1),
    ]);
  }

  private verdict(
    pairBlock: CounterState | undefined,
    addressFailures: CounterState | undefined,
    accountFailures: CounterState | undefined,
  ): ThrottleVerdict {
    return throttleVerdict(pairBlock, addressFailures, this.policy.ipMaxFailures, {
      failures: accountFailures,
      maxFailures: this.policy.accountMaxFailures,
    });
  }

  /** Takes back the points `begin` added for an attempt that was refused or never checked. */
  private async giveBack(keys: AttemptKeys): Promise<void> {
    await Promise.all([
      this.attempts.add(keys.pair, -1),
      this.ipFailures.add(keys.address, -1),
      this.accountFailures.add(keys.account, -1),
    ]);
  }
}

/** A count as it stood before this attempt's point was added. */
function before(state: CounterState): CounterState {
  return { ...state, consumed: state.consumed - 1 };
}

/**
 * Usernames are hashed into the keys: bounded length, no odd characters in Redis keys. Unknown
 * usernames get keys too, so neither the throttle nor the lock reveals which exist.
 */
function keysOf(username: string, ip: string | undefined): AttemptKeys {
  const address = addressKey(ip);
  // The first 32 hex digits of the SHA-256 (a memory counter keeps only a fingerprint of the key).
  const user = sha256Hex(usernameKey(username)).slice(0, 32);
  return { pair: `${address}:${user}`, address, account: `account:${user}` };
}
