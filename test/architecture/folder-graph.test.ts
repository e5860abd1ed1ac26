import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';

const SRC = join(projectRoot, 'src');
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The top-level folder of src/ a file lives in; a file directly in src/ is its own node. */
function nodeOf(file: string): string | undefined {
  const inside = relative(SRC, file);
  if (inside.startsWith('..')) return undefined;
  const parts = inside.split(sep);
  return parts.length === 1 ? (parts[0] ?? '').replace(/\.ts$/, '') : `${parts[0]}/`;
}

/** Edges between nodes, each with one import that makes it (for the failure message). */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const from = nodeOf(file) as string;
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (!specifier.startsWith('.')) continue;
      const to = nodeOf(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      if (to !== undefined && to !== from && !edges.has(to)) edges.set(to, relative(SRC, file));
    }
  }
  return graph;
}

/** One cycle as a path of nodes (first node repeated at the end), or undefined when the graph has none. */
function findCycle(graph: Map<string, Map<string, string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      const cycle = visit(next);
      if (cycle !== undefined) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of [...graph.keys()].sort()) {
    const cycle = visit(node);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

describe('the import graph between the folders of src/', () => {
  it('has no cycle', () => {
    const graph = folderGraph();
    const cycle = findCycle(graph);
    const named = cycle?.slice(1).map((to, i) => `${cycle[i]} → ${to} (${graph.get(cycle[i] as string)?.get(to)})`);
    expect(named, 'a cycle between folders').toBeUndefined();
  });

  it('sees the imports it is meant to see (an empty graph has no cycle either)', () => {
    const graph = folderGraph();
    // Imports that exist today: if the pattern stopped matching, the cycle check would pass on nothing.
    expect(graph.get('compose')?.has('auth/')).toBe(true);
    expect(graph.get('operations/')?.has('errors/')).toBe(true);
    expect(graph.get('cli/')?.has('store/')).toBe(true);
    expect(graph.get('errors/')?.has('operations/')).toBeFalsy();
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a/', new Map([['b/', 'a/x.ts']])],
      ['b/', new Map([['a/', 'b/y.ts']])],
    ]);
    expect(findCycle(graph)).toEqual(['a/', 'b/', 'a/']);
  });
});
