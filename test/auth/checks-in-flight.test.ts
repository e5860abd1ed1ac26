import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChecksInFlight } from '../../src/auth/checks-in-flight.js';

/** A check that settles when told to, counting how often one was started. */
function pendingChecks() {
  const settlers: Array<(value: string) => void> = [];
  return {
    started: () => settlers.length,
    start: (): Promise<string> => new Promise<string>((resolve) => settlers.push(resolve)),
    settle: (index: number, value: string) => settlers[index]?.(value),
  };
}

const digest = (): string => randomBytes(32).toString('base64url');

describe('ChecksInFlight', () => {
  it('one digest from one address shares the check in progress', async () => {
    const checks = new ChecksInFlight<string>();
    const pending = pendingChecks();
    const key = digest();
    const first = checks.share(key, '10.0.0.1', pending.start);
    const second = checks.share(key, '10.0.0.1', pending.start);
    expect(pending.started()).toBe(1);
    pending.settle(0, 'verified');
    expect(await Promise.all([first, second])).toEqual(['verified', 'verified']);
  });

  it('the same digest from another address gets a check of its own', () => {
    const checks = new ChecksInFlight<string>();
    const pending = pendingChecks();
    const key = digest();
    void checks.share(key, '10.0.0.1', pending.start);
    void checks.share(key, '10.0.0.2', pending.start);
    void checks.share(key, undefined, pending.start);
    expect(pending.started()).toBe(3);
  });

  it('a settled check is not shared: the next request starts a new one', async () => {
    const checks = new ChecksInFlight<string>();
    const pending = pendingChecks();
    const key = digest();
    const first = checks.share(key, '10.0.0.1', pending.start);
    pending.settle(0, 'invalid');
    await first;
    void checks.share(key, '10.0.0.1', pending.start);
    expect(pending.started()).toBe(2);
  });

  it('a failed check frees its slot too', async () => {
    const checks = new ChecksInFlight<string>();
    let calls = 0;
    const failing = (): Promise<string> => {
      calls++;
      return Promise.reject(new Error('store down'));
    };
    const key = digest();
    await expect(checks.share(key, '10.0.0.1', failing)).rejects.toThrow('store down');
    await expect(checks.share(key, '10.0.0.1', failing)).rejects.toThrow('store down');
    expect(calls).toBe(2);
  });

  it('a check whose slot another holds runs on its own, and is not shared', async () => {
    const checks = new ChecksInFlight<string>();
    const held = pendingChecks();
    void checks.share(digest(), '10.0.0.1', held.start);
    // Some digest soon lands in the held check's slot (one in 256): each request of it then starts its own.
    for (let tries = 0; tries < 10_000; tries++) {
      const key = digest();
      let started = 0;
      const start = (): Promise<string> => {
        started++;
        return Promise.resolve(`${key}-${started}`);
      };
      const first = checks.share(key, '10.0.0.1', start);
      const second = checks.share(key, '10.0.0.1', start);
      if (started === 1) {
        await first;
        continue;
      }
      expect(await Promise.all([first, second])).toEqual([`${key}-1`, `${key}-2`]);
      return;
    }
    throw new Error('no digest met the held check in 10,000 tries');
  });

  it('more checks than slots: each digest still gets its own answer, never another one', async () => {
    const checks = new ChecksInFlight<string>();
    // 600 digests in flight at once must share slots (there are 256); none may get another's check.
    const keys = Array.from({ length: 600 }, digest);
    const results = keys.map((key) => checks.share(key, '10.0.0.1', () => new Promise((r) => setTimeout(r, 5, key))));
    expect(await Promise.all(results)).toEqual(keys);
  });
});
