/**
 * Rate-limit and throttle decisions as pure functions of counter state; the counters (in memory,
 * in the cluster primary or in Redis) only keep the numbers.
 */

/** The longest a username+address pair is ever blocked: the doubling stops here. */
export const MAX_BLOCK_SECONDS = 15 * 60;

/**
 * Seconds to block a username+address pair after its `failures`-th consecutive failure: none
 * before `maxFailures`, then 1 s, doubling with each further failure, up to 15 minutes.
 */
export function blockSeconds(failures: number, maxFailures: number): number {
  if (failures < maxFailures) return 0;
  const doublings = failures - maxFailures;
  return doublings >= 10 ? MAX_BLOCK_SECONDS : Math.min(2 ** doublings, MAX_BLOCK_SECONDS);
}

/** Whole seconds a client must wait, never less than 1 (Retry-After and `t=` are integers). */
export function retryAfterSeconds(msBeforeNext: number): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}

export interface CounterState {
  /** Failures (or requests) counted in the current window. */
  consumed: number;
  msBeforeReset: number;
}

export type ThrottleVerdict = { blocked: false } | { blocked: true; retryAfterSeconds: number };

export const NOT_BLOCKED: ThrottleVerdict = { blocked: false };

/**
 * Whether a sign-in may go on to bcrypt: not while its username+address pair is blocked, nor
 * while its address has failed `ipMaxFailures` times across usernames, nor while the account has
 * failed `account.maxFailures` times from everywhere (its `failures` are left undefined for a
 * client holding the account's device token, which the account-wide lock spares). The longest
 * wait wins.
 */
export function throttleVerdict(
  pairBlock: CounterState | undefined,
  ipFailures: CounterState | undefined,
  ipMaxFailures: number,
  account: { failures: CounterState | undefined; maxFailures: number },
): ThrottleVerdict {
  const waits: number[] = [];
  if (account.failures !== undefined && account.failures.consumed >= account.maxFailures)
    waits.push(account.failures.msBeforeReset);
  if (pairBlock !== undefined && pairBlock.msBeforeReset > 0) waits.push(pairBlock.msBeforeReset);
  if (ipFailures !== undefined && ipFailures.consumed >= ipMaxFailures && ipFailures.msBeforeReset > 0)
    waits.push(ipFailures.msBeforeReset);
  if (waits.length === 0) return NOT_BLOCKED;
  return { blocked: true, retryAfterSeconds: retryAfterSeconds(Math.max(...waits)) };
}

export interface RateLimitPolicy {
  max: number;
  windowSeconds: number;
}

/**
 * The RateLimit-Policy and RateLimit fields of draft-ietf-httpapi-ratelimit-headers:
 * `"default";q=100;w=900` and `"default";r=57;t=412` (remaining quota, seconds to reset).
 */
export function rateLimitHeaders(policy: RateLimitPolicy, state: CounterState): Record<string, string> {
  const remaining = Math.max(0, policy.max - state.consumed);
  const reset = state.msBeforeReset > 0 ? retryAfterSeconds(state.msBeforeReset) : policy.windowSeconds;
  return {
    'RateLimit-Policy': `"default";q=${policy.max};w=${policy.windowSeconds}`,
    RateLimit: `"default";r=${remaining};t=${reset}`,
  };
}

/**
 * Of the buckets one request was counted in (an API key's and its owner's), the one that
 * decides when the client may come back: the least quota left, then the longest wait, since a
 * bucket at zero stays refused until its own window ends, whichever other bucket resets first.
 * RateLimit and Retry-After are both answered from it, so they agree.
 */
export function tightestState(policy: RateLimitPolicy, states: CounterState[]): CounterState {
  const remaining = (state: CounterState): number => Math.max(0, policy.max - state.consumed);
  return states.reduce((a, b) =>
    remaining(b) < remaining(a) || (remaining(b) === remaining(a) && b.msBeforeReset > a.msBeforeReset) ? b : a,
  );
}

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * The counter key of a client address. IPv4 counts per address; IPv6 per /64, since one
 * subscriber usually holds a whole /64 and could otherwise rotate through it.
 */
export function addressKey(ip: string | undefined): string {
  if (ip === undefined || ip === '') return 'ip:unknown';
  const mapped = MAPPED_IPV4.exec(ip);
  if (mapped !== null) return `ip:${mapped[1]}`;
  if (!ip.includes(':')) return `ip:${ip}`;
  const address = ip.split('%')[0] ?? ip;
  const [head = '', tail] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros: string[] = Array.from({ length: Math.max(0, 8 - headGroups.length - tailGroups.length) }, () => '0');
  const prefix = [...headGroups, ...zeros, ...tailGroups].slice(0, 4).map((group) => Number.parseInt(group, 16));
  if (prefix.length < 4 || prefix.some((group) => Number.isNaN(group))) return `ip:${address.toLowerCase()}`;
  return `ip6:${prefix.map((group) => group.toString(16)).join(':')}::/64`;
}
