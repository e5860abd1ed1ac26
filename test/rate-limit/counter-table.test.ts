import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import { CounterTable } from '../../src/rate-limit/counter-table.js';

/** The built table (npm test builds first), for a process of its own that may call the collector. */
const builtTable = pathToFileURL(join(projectRoot, 'dist', 'src', 'rate-limit', 'counter-table.js')).href;

/** The table's entries, oldest first, as key → value, read through its own API. */
function contents(table: CounterTable, keys: Iterable<string>): Map<string, number> {
  const found = new Map<string, number>();
  for (const key of keys) {
    const entry = table.find(key);
    if (entry !== -1) found.set(key, table.value(entry));
  }
  return found;
}

describe('CounterTable', () => {
  it('finds what was inserted, by key, and nothing else', () => {
    const table = new CounterTable(10);
    const a = table.insert('a', 1, 1_000);
    table.insert('b', 2, 2_000);
    expect(table.find('a')).toBe(a);
    expect(table.value(table.find('b'))).toBe(2);
    expect(table.expiresAt(table.find('b'))).toBe(2_000);
    expect(table.find('c')).toBe(-1);
    expect(table.size).toBe(2);
  });

  it('keeps its entries oldest first, through removals from the middle and both ends', () => {
    const table = new CounterTable(10);
    for (const key of ['a', 'b', 'c', 'd']) table.insert(key, 0, 0);
    table.remove(table.find('b'));
    expect(table.oldest).toBe(table.find('a'));
    table.remove(table.find('a'));
    expect(table.oldest).toBe(table.find('c'));
    table.remove(table.find('d'));
    table.insert('e', 0, 0);
    table.remove(table.find('c'));
    expect(table.oldest).toBe(table.find('e'));
    table.remove(table.find('e'));
    expect(table.oldest).toBe(-1);
    expect(table.size).toBe(0);
  });

  it('refuses to hold more than its capacity', () => {
    const table = new CounterTable(2);
    table.insert('a', 1, 0);
    table.insert('b', 1, 0);
    expect(() => table.insert('c', 1, 0)).toThrow(/full/);
  });

  it('agrees with a Map through 200,000 random inserts, updates and removals while it grows', () => {
    const table = new CounterTable(5_000);
    const model = new Map<string, number>();
    let seed = 7;
    const random = (below: number): number => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed % below;
    };
    for (let step = 0; step < 200_000; step++) {
      const key = `198.51.100.${random(8)}:${random(9_000).toString(16)}`;
      const entry = table.find(key);
      expect(entry !== -1).toBe(model.has(key));
      if (entry === -1) {
        if (model.size === 5_000) {
          const oldestKey = model.keys().next().value as string;
          expect(table.find(oldestKey)).toBe(table.oldest);
          table.remove(table.oldest);
          model.delete(oldestKey);
        }
        table.insert(key, step, step);
        model.set(key, step);
      } else if (random(3) === 0) {
        table.remove(entry);
        model.delete(key);
      } else {
        expect(table.value(entry)).toBe(model.get(key));
        table.setValue(entry, step);
        model.set(key, step);
      }
    }
    expect(table.size).toBe(model.size);
    expect(contents(table, model.keys())).toEqual(model);
  });

  it('frees the arrays it outgrows at the next scavenge, not at the next full collection', () => {
    const script = `import { CounterTable } from ${JSON.stringify(builtTable)};
const table = new CounterTable(1 << 20);
let held = 0;
const fill = (count) => { for (; held < count; held++) table.insert('key-' + held, 1, 0); };
fill(32768);
// Full collections move the table's arrays (room for 32,768) into the old generation.
gc(); gc();
const before = process.memoryUsage().arrayBuffers;
fill(32769);
gc({ type: 'minor' });
// The collector frees array buffers from a task of its own: give it up to 2 s.
for (let waited = 0; waited < 2000 && process.memoryUsage().arrayBuffers / before >= 2.5; waited += 50)
  await new Promise((resolve) => setTimeout(resolve, 50));
console.log(JSON.stringify({ before, after: process.memoryUsage().arrayBuffers }));`;
    const output = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    const { before, after } = JSON.parse(output) as { before: number; after: number };
    // Room for twice as many: about twice the memory once the outgrown arrays are freed, three times while they wait.
    expect(after / before).toBeGreaterThan(1.8);
    expect(after / before).toBeLessThan(2.5);
  });
});
