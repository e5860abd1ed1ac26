import { sha256Hex } from '../crypto/tokens.js';
import { usernameKey } from '../store/users.js';
import { type Counter, type CounterStore, stateOf } from './counters.js';
import { MAX_BLOCK_SECONDS, type ThrottleVerdict, addressKey, blockSeconds, throttleVerdict } from './decisions.js';

export const THROTTLED_MESSAGE = 'Too many failed attempts, try again later';

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
 * Guards password checks (/login, and Basic on every route) against guessing. `check` runs
 * before bcrypt, so a blocked guess costs no CPU, and while blocked even the right password is
 * held back. Unknown usernames are counted like known ones, so the throttle reveals nothing.
 */
export class BruteForceThrottle {
  private readonly failures: Counter;
  private readonly blocks: Counter;
  private readonly ipFailures: Counter;

  constructor(
    counters: CounterStore,
    private readonly policy: ThrottlePolicy,
  ) {
    this.failures = counters.create({ name: 'login-failures', points: Number.MAX_SAFE_INTEGER, windowSeconds: FAILURE_MEMORY_SECONDS });
    this.blocks = counters.create({ name: 'login-blocks', points: 1, windowSeconds: MAX_BLOCK_SECONDS });
    this.ipFailures = counters.create({ name: 'login-ip-failures', points: policy.ipMaxFailures, windowSeconds: IP_WINDOW_SECONDS });
  }

  async check(username: string, ip: string | undefined): Promise<ThrottleVerdict> {
    const [pairBlock, ipFailures] = await Promise.all([this.blocks.get(pairKey(username, ip)), this.ipFailures.get(addressKey(ip))]);
    return throttleVerdict(stateOf(pairBlock), stateOf(ipFailures), this.policy.ipMaxFailures);
  }

  async recordFailure(username: string, ip: string | undefined): Promise<void> {
    const key = pairKey(username, ip);
    const [failures] = await Promise.all([this.failures.penalty(key), this.ipFailures.penalty(addressKey(ip))]);
    const seconds = blockSeconds(failures.consumedPoints, this.policy.maxFailures);
    if (seconds > 0) await this.blocks.block(key, seconds);
  }

  /** A success ends the run of consecutive failures; the per-address count keeps its window. */
  async recordSuccess(username: string, ip: string | undefined): Promise<void> {
    const key = pairKey(username, ip);
    await Promise.all([this.failures.delete(key), this.blocks.delete(key)]);
  }
}

/** Usernames are hashed into the key: bounded length, no odd characters in Redis keys. */
function pairKey(username: string, ip: string | undefined): string {
  return `${addressKey(ip)}:${sha256Hex(usernameKey(username)).slice(0, 32)}`;
}
