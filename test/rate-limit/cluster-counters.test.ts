import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ClusterCounterClient,
  ClusterCounterHost,
  type CounterRequest,
  type WorkerLink,
} from '../../src/rate-limit/cluster-counters.js';
import { ManualClock } from '../support/manual-clock.js';

const SPEC = { name: 'gatehouse:login-failures', points: 3, windowSeconds: 60 };

/** A worker's link straight into the host, as node:cluster's IPC would carry it (a structured copy each way). */
function linkTo(host: ClusterCounterHost): WorkerLink {
  let deliver: (message: unknown) => void = () => {};
  return {
    send: (message: CounterRequest) => {
      host.answer(structuredClone(message)).then((reply) => reply !== undefined && deliver(structuredClone(reply)));
    },
    onMessage: (listener) => {
      deliver = listener;
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('counters kept by the cluster primary', () => {
  it('two workers count into the same key', async () => {
    const host = new ClusterCounterHost(new ManualClock());
    const a = new ClusterCounterClient(linkTo(host), 1_000).counter(SPEC);
    const b = new ClusterCounterClient(linkTo(host), 1_000).counter(SPEC);
    await a.add('ip:203.0.113.1', 1);
    expect(await b.add('ip:203.0.113.1', 1)).toEqual({ consumed: 2, msBeforeReset: 60_000 });
    expect((await a.get('ip:203.0.113.1'))?.consumed).toBe(2);
    await b.block('pair', 5);
    expect(await a.get('pair')).toEqual({ consumed: SPEC.points + 1, msBeforeReset: 5_000 });
    await a.delete('pair');
    expect(await b.get('pair')).toBeUndefined();
  });

  it('are as bounded as a single process: past maxEntries the oldest key goes', async () => {
    const host = new ClusterCounterHost(new ManualClock(), { maxEntries: 2 });
    const counter = new ClusterCounterClient(linkTo(host), 1_000).counter(SPEC);
    for (const key of ['a', 'b', 'c']) await counter.add(key, 1);
    expect(await counter.get('a')).toBeUndefined();
    expect((await counter.get('c'))?.consumed).toBe(1);
  });

  it('keep counters of different names apart, and a count given back to zero leaves nothing', async () => {
    const host = new ClusterCounterHost(new ManualClock());
    const client = new ClusterCounterClient(linkTo(host), 1_000);
    const failures = client.counter(SPEC);
    const requests = client.counter({ ...SPEC, name: 'gatehouse:client' });
    await failures.add('k', 1);
    expect(await requests.get('k')).toBeUndefined();
    await failures.add('k', -1);
    expect(await failures.get('k')).toBeUndefined();
  });

  it('a primary that does not answer in time fails the request (the caller then counts in memory)', async () => {
    vi.useFakeTimers();
    const silent: WorkerLink = { send: () => {}, onMessage: () => {} };
    const pending = new ClusterCounterClient(silent, 1_000).counter(SPEC).add('k', 1);
    const settled = expect(pending).rejects.toThrow(/did not answer/);
    await vi.advanceTimersByTimeAsync(1_000);
    await settled;
  });

  it('the host ignores messages that are not counter requests', async () => {
    const host = new ClusterCounterHost(new ManualClock());
    expect(await host.answer({ type: 'metrics' })).toBeUndefined();
    expect(await host.answer('hello')).toBeUndefined();
  });
});
