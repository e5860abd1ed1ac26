import { describe, expect, it } from 'vitest';
import { MemoryCounter } from '../../src/rate-limit/memory-counter.js';
import { ManualClock } from '../support/manual-clock.js';

const SPEC = { name: 'test', points: 5, windowSeconds: 60 };

function counter(maxEntries?: number): { counter: MemoryCounter; clock: ManualClock } {
  const clock = new ManualClock();
  return { counter: new MemoryCounter(SPEC, clock, maxEntries === undefined ? {} : { maxEntries }), clock };
}

describe('MemoryCounter', () => {
  it('counts within a window and forgets the count when the window closes', async () => {
    const { counter: c, clock } = counter();
    await c.add('a', 1);
    expect(await c.add('a', 2)).toEqual({ consumed: 3, msBeforeReset: 60_000 });
    clock.advanceSeconds(60);
    expect(await c.get('a')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('a count given back to zero leaves no entry behind', async () => {
    const { counter: c } = counter();
    await c.add('a', 1);
    await c.add('a', -1);
    expect(await c.get('a')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('giving back points that were never counted creates no entry (no credit for later)', async () => {
    const { counter: c } = counter();
    expect((await c.add('a', -1)).consumed).toBe(0);
    expect(c.size).toBe(0);
    expect((await c.add('a', 1)).consumed).toBe(1);
  });

  it('past its bound it forgets the oldest key first', async () => {
    const { counter: c } = counter(3);
    for (const key of ['a', 'b', 'c', 'd']) await c.add(key, 1);
    expect(c.size).toBe(3);
    expect(await c.get('a')).toBeUndefined();
    expect((await c.get('d'))?.consumed).toBe(1);
  });

  it('a key counted again keeps its age: the window it opened closes first', async () => {
    const { counter: c } = counter(2);
    await c.add('a', 1);
    await c.add('b', 1);
    await c.add('a', 1);
    await c.add('c', 1);
    expect(await c.get('a')).toBeUndefined();
    expect((await c.get('b'))?.consumed).toBe(1);
  });

  it('drops expired keys before it evicts a live one', async () => {
    const { counter: c, clock } = counter(3);
    await c.add('old', 1);
    clock.advanceSeconds(61);
    for (const key of ['b', 'c', 'd']) await c.add(key, 1);
    expect(c.size).toBe(3);
    for (const key of ['b', 'c', 'd']) expect((await c.get(key))?.consumed).toBe(1);
  });

  it('a block counts as new: it is the last to be evicted', async () => {
    const { counter: c } = counter(2);
    await c.add('a', 1);
    await c.add('b', 1);
    await c.block('a', 30);
    await c.add('c', 1);
    expect(await c.get('a')).toEqual({ consumed: SPEC.points + 1, msBeforeReset: 30_000 });
    expect(await c.get('b')).toBeUndefined();
  });

  it('stays within 100,000 keys by default', async () => {
    const { counter: c } = counter();
    for (let i = 0; i < 100_001; i++) await c.add(`key-${i}`, 1);
    expect(c.size).toBe(100_000);
    expect(await c.get('key-0')).toBeUndefined();
  });
});
