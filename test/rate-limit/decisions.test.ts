import { describe, expect, it } from 'vitest';
import {
  addressKey,
  blockSeconds,
  MAX_BLOCK_SECONDS,
  rateLimitHeaders,
  retryAfterSeconds,
  throttleVerdict,
  tightestState,
} from '../../src/rate-limit/decisions.js';

describe('blockSeconds', () => {
  it('does not block before the failure limit', () => {
    expect([0, 1, 2, 3, 4].map((failures) => blockSeconds(failures, 5))).toEqual([0, 0, 0, 0, 0]);
  });

  it('blocks for 1 s at the limit and doubles with each further failure', () => {
    expect([5, 6, 7, 8, 9, 10].map((failures) => blockSeconds(failures, 5))).toEqual([1, 2, 4, 8, 16, 32]);
  });

  it('never blocks for longer than 15 minutes, however many failures', () => {
    expect(blockSeconds(14, 5)).toBe(512);
    expect(blockSeconds(15, 5)).toBe(MAX_BLOCK_SECONDS);
    expect(blockSeconds(10_000, 5)).toBe(MAX_BLOCK_SECONDS);
    expect(MAX_BLOCK_SECONDS).toBe(900);
  });
});

const NO_ACCOUNT_FAILURES = { failures: undefined, maxFailures: 100 };

describe('throttleVerdict', () => {
  it('lets a pair through when nothing is counted', () => {
    expect(throttleVerdict(undefined, undefined, 100, NO_ACCOUNT_FAILURES)).toEqual({ blocked: false });
  });

  it('holds a blocked pair back for the rest of its block, in whole seconds', () => {
    expect(throttleVerdict({ consumed: 2, msBeforeReset: 1_200 }, undefined, 100, NO_ACCOUNT_FAILURES)).toEqual({
      blocked: true,
      retryAfterSeconds: 2,
    });
  });

  it('holds an address back once it has failed the per-address limit, across usernames', () => {
    expect(throttleVerdict(undefined, { consumed: 99, msBeforeReset: 60_000 }, 100, NO_ACCOUNT_FAILURES)).toEqual({
      blocked: false,
    });
    expect(throttleVerdict(undefined, { consumed: 100, msBeforeReset: 60_000 }, 100, NO_ACCOUNT_FAILURES)).toEqual({
      blocked: true,
      retryAfterSeconds: 60,
    });
  });

  it('reports the longer wait when both apply', () => {
    expect(
      throttleVerdict(
        { consumed: 2, msBeforeReset: 8_000 },
        { consumed: 100, msBeforeReset: 3_000 },
        100,
        NO_ACCOUNT_FAILURES,
      ),
    ).toEqual({ blocked: true, retryAfterSeconds: 8 });
  });

  it('holds an account back once it has failed its limit from everywhere, unless its failures are left out', () => {
    const failures = { consumed: 3, msBeforeReset: 3_600_000 };
    expect(throttleVerdict(undefined, undefined, 100, { failures, maxFailures: 4 })).toEqual({ blocked: false });
    expect(throttleVerdict(undefined, undefined, 100, { failures, maxFailures: 3 })).toEqual({
      blocked: true,
      retryAfterSeconds: 3600,
    });
  });
});

describe('rateLimitHeaders', () => {
  it('gives the draft fields: quota and window, remaining and seconds to reset', () => {
    expect(rateLimitHeaders({ max: 100, windowSeconds: 900 }, { consumed: 43, msBeforeReset: 411_200 })).toEqual({
      'RateLimit-Policy': '"default";q=100;w=900',
      RateLimit: '"default";r=57;t=412',
    });
  });

  it('never reports a negative remainder past the limit', () => {
    expect(rateLimitHeaders({ max: 2, windowSeconds: 60 }, { consumed: 5, msBeforeReset: 10_000 }).RateLimit).toBe(
      '"default";r=0;t=10',
    );
  });
});

describe('retryAfterSeconds', () => {
  it('rounds up and is at least 1', () => {
    expect([0, 1, 999, 1000, 1001].map(retryAfterSeconds)).toEqual([1, 1, 1, 1, 2]);
  });
});

describe('addressKey', () => {
  it('keys IPv4 by address, and IPv4-mapped IPv6 as the IPv4 address', () => {
    expect(addressKey('203.0.113.7')).toBe('ip:203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('ip:203.0.113.7');
  });

  it('keys IPv6 by its /64, however it is written', () => {
    const key = addressKey('2001:db8:0:1:aaaa:bbbb:cccc:dddd');
    expect(key).toBe('ip6:2001:db8:0:1::/64');
    expect(addressKey('2001:DB8::1:0:0:0:1')).toBe(key);
    expect(addressKey('2001:db8:0:2::1')).not.toBe(key);
  });

  it('has a key for a missing address and for loopback', () => {
    expect(addressKey(undefined)).toBe('ip:unknown');
    expect(addressKey('::1')).toBe('ip6:0:0:0:0::/64');
  });
});

describe('tightestState', () => {
  const policy = { max: 10, windowSeconds: 900 };

  it('takes the bucket with the least quota left', () => {
    const key = { consumed: 4, msBeforeReset: 800_000 };
    const user = { consumed: 9, msBeforeReset: 100_000 };
    expect(tightestState(policy, [key, user])).toBe(user);
  });

  it('among buckets with nothing left, the one that waits longest, however far over its limit the other is', () => {
    const key = { consumed: 14, msBeforeReset: 100_000 };
    const user = { consumed: 11, msBeforeReset: 900_000 };
    expect(tightestState(policy, [key, user])).toBe(user);
    expect(tightestState(policy, [user, key])).toBe(user);
  });
});
