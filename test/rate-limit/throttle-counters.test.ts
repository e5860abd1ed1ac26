import { describe, expect, it, vi } from 'vitest';
import { type Admitted, BruteForceThrottle } from '../../src/rate-limit/brute-force-throttle.js';
import { CounterStore } from '../../src/rate-limit/counters.js';
import type { MemoryCounter } from '../../src/rate-limit/memory-counter.js';
import { ManualClock } from '../support/manual-clock.js';

const POLICY = { maxFailures: 3, ipMaxFailures: 100, accountMaxFailures: 100 };
const IP = '203.0.113.5';

/** A throttle on memory counters, with the counters at hand and every read and write counted. */
function throttled(): {
  throttle: BruteForceThrottle;
  counters: MemoryCounter[];
  named: Map<string, MemoryCounter>;
  reads: () => number;
} {
  const store = new CounterStore({ prefix: 'test', clock: new ManualClock() });
  const named = new Map<string, MemoryCounter>();
  const create = store.create.bind(store);
  vi.spyOn(store, 'create').mockImplementation((spec) => {
    const counter = create(spec) as MemoryCounter;
    named.set(spec.name, counter);
    return counter;
  });
  const throttle = new BruteForceThrottle(store, POLICY);
  const counters = [...named.values()];
  const gets = counters.map((counter) => vi.spyOn(counter, 'get'));
  return { throttle, counters, named, reads: () => gets.reduce((sum, get) => sum + get.mock.calls.length, 0) };
}

async function admitted(throttle: BruteForceThrottle, username: string): Promise<Admitted> {
  const attempt = await throttle.begin(username, IP);
  if (attempt.blocked) throw new Error(`${username} was refused`);
  return attempt;
}

describe('the brute-force throttle on its counters', () => {
  it('a success leaves nothing behind in any counter', async () => {
    const { throttle, counters } = throttled();
    await throttle.succeed(await admitted(throttle, 'alice'));
    expect(counters.map((counter) => counter.size)).toEqual(counters.map(() => 0));
  });

  it('an abandoned attempt leaves nothing behind either', async () => {
    const { throttle, counters } = throttled();
    await throttle.abandon(await admitted(throttle, 'alice'));
    expect(counters.map((counter) => counter.size)).toEqual(counters.map(() => 0));
  });

  it('begin reads one counter (the pair block) and takes the rest from what it adds', async () => {
    const { throttle, reads } = throttled();
    await admitted(throttle, 'alice');
    expect(reads()).toBe(1);
  });

  it('a failure is decided from the counts begin saw: it reads nothing again', async () => {
    const { throttle, reads } = throttled();
    const attempts = [];
    for (let i = 0; i < POLICY.maxFailures; i++) attempts.push(await admitted(throttle, 'alice'));
    const before = reads();
    for (const attempt of attempts) await throttle.fail(attempt);
    expect(reads()).toBe(before);
    const held = await throttle.begin('alice', IP);
    expect(held).toEqual({ blocked: true, retryAfterSeconds: 1 });
  });

  it('a refused attempt is given back: the counts stay where they were', async () => {
    const { throttle, named } = throttled();
    for (let i = 0; i < POLICY.maxFailures; i++) await throttle.fail(await admitted(throttle, 'alice'));
    for (let i = 0; i < 5; i++) expect((await throttle.begin('alice', IP)).blocked).toBe(true);
    expect((await named.get('login-ip-failures')?.get(`ip:${IP}`))?.consumed).toBe(POLICY.maxFailures);
  });
});
