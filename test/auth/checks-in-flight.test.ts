import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ChecksInFlight } from '../../src/auth/checks-in-flight.js';
import { basic, startTestApp, type TestApp } from '../support/test-app.js';

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

  it('more checks than slots: each digest still gets its own answer, never another one', async () => {
    const checks = new ChecksInFlight<string>();
    // 600 digests in flight at once must share slots (there are 256); none may get another's check.
    const keys = Array.from({ length: 600 }, digest);
    const results = keys.map((key) => checks.share(key, '10.0.0.1', () => new Promise((r) => setTimeout(r, 5, key))));
    expect(await Promise.all(results)).toEqual(keys);
  });
});

describe('Basic credentials arriving together', () => {
  let app: TestApp;
  afterEach(() => app.close());

  it('identical requests on a cold cache cost one bcrypt compare and all succeed', async () => {
    app = await startTestApp();
    app.hasher.reset();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => app.call('GET', '/basic/profile', { headers: basic('john', 'secret123') })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    expect(app.hasher.compares).toHaveLength(1);
  });

  it('different passwords arriving together are each compared', async () => {
    app = await startTestApp();
    app.hasher.reset();
    const answers = await Promise.all(
      ['secret123', 'wrong-1', 'wrong-2'].map((password) =>
        app.call('GET', '/basic/profile', { headers: basic('john', password) }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 401, 401]);
    expect(app.hasher.compares).toHaveLength(3);
  });
});
