import { readFileSync } from 'node:fs';
import type { HeapProfiler } from 'node:inspector';
import { pathToFileURL } from 'node:url';
import { locationOf } from './profile-attribution.js';

/**
 * Sums a .heapprofile (promotion-sampler.ts) by allocation site: the bytes each function
 * allocated that outlived the young generation, then the heaviest stacks, a few frames deep.
 *
 *   node dist/bench/test/bench/summarise-promotion.js <file.heapprofile> [--top 25]
 */
function frameName({ callFrame }: HeapProfiler.SamplingHeapProfileNode): string {
  return `${callFrame.functionName || '(anonymous)'} ${locationOf(callFrame)}`;
}

export function summarisePromotion(profile: HeapProfiler.SamplingHeapProfile, top: number): string {
  const bySite = new Map<string, number>();
  const byStack = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapProfiler.SamplingHeapProfileNode, callers: string[]): void => {
    const stack = [frameName(node), ...callers].slice(0, 5);
    if (node.selfSize > 0) {
      total += node.selfSize;
      bySite.set(stack[0] as string, (bySite.get(stack[0] as string) ?? 0) + node.selfSize);
      const key = stack.join('\n      <- ');
      byStack.set(key, (byStack.get(key) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, stack);
  };
  walk(profile.head, []);
  const mb = (bytes: number) => (bytes / 1e6).toFixed(2).padStart(7);
  const heaviest = (sizes: Map<string, number>) => [...sizes].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `outlived the young generation: ${mb(total)} MB sampled`,
    'by allocation site (MB):',
    ...heaviest(bySite).map(([site, bytes]) => `${mb(bytes)}  ${site}`),
    'by stack (MB):',
    ...heaviest(byStack).map(([stack, bytes]) => `${mb(bytes)}  ${stack}`),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, flag, value] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: summarise-promotion.js <file.heapprofile> [--top 25]');
  const top = flag === '--top' ? Number(value) : 25;
  console.log(summarisePromotion(JSON.parse(readFileSync(file, 'utf8')) as HeapProfiler.SamplingHeapProfile, top));
}
