import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  chargedTo,
  concernOf,
  jsCaller,
  locationOf,
  type ProfileNode,
  type ProfileTree,
  packageOf,
  SPECIAL,
} from './profile-attribution.js';

/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and says where the CPU went: the functions with the
 * most self time (file:line, % of busy time, µs per answer when the answers are known), self
 * time by package and by file, then each sample charged to the package that caused it (see
 * profile-attribution.ts) and those packages grouped by concern. "Busy" leaves out (idle);
 * (program) is native work V8 cannot attribute to a JS function, (garbage collector) is GC; a
 * native function is shown with its nearest JavaScript caller. A window (--skip-ms,
 * --duration-ms) keeps only the samples of the measured load, not start-up.
 *
 *   node dist/bench/test/bench/summarise-profile.js <file.cpuprofile>… [--top 15] [--skip-ms 0]
 *     [--duration-ms 0] [--requests N] [--wall]
 */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SummaryOptions {
  top: number;
  /** Leave out the samples of the first milliseconds (start-up, warm-up). */
  skipMs: number;
  /** Keep this many milliseconds after the skipped ones; 0 keeps the rest. */
  durationMs: number;
  /** Answers served in the window: each line then also says its CPU µs per answer. */
  requests?: number;
  /** Weigh samples by the wall-clock time to the next one instead of counting them (see below). */
  wall?: boolean;
}

/**
 * V8 samples on a wall-clock timer. When other processes preempt the server, the next sample
 * comes late and the whole gap lands on the function that was running (often writev, whose
 * wake-up of the load generator is what preempted it). Counting each sample as one median
 * interval measures CPU instead, as perf does; --wall keeps the raw gaps.
 */
function sampleWeights(profile: CpuProfile, wall: boolean): number[] {
  const next = profile.timeDeltas.slice(1).map((delta) => Math.max(0, delta));
  if (wall) return next;
  const sorted = [...next].sort((a, b) => a - b);
  const interval = sorted[Math.floor(sorted.length / 2)] ?? 1000;
  return next.map((delta) => Math.min(delta, interval));
}

interface Tally {
  label: string;
  pkg: string;
  micros: number;
}

function add(map: Map<string, Tally>, key: string, label: string, pkg: string, micros: number): void {
  const tally = map.get(key) ?? { label, pkg, micros: 0 };
  tally.micros += micros;
  map.set(key, tally);
}

export function summariseProfile(profile: CpuProfile, options: SummaryOptions, title = 'profile'): string {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map(
    profile.nodes.flatMap((node) => (node.children ?? []).map((child): [number, number] => [child, node.id])),
  );
  const tree: ProfileTree = { nodes, parents };
  const byFunction = new Map<string, Tally>();
  const byPackage = new Map<string, Tally>();
  const byFile = new Map<string, Tally>();
  const byCharge = new Map<string, Tally>();
  const charges = new Map<number, string>();
  let elapsed = 0;
  let idle = 0;
  let busy = 0;
  const from = options.skipMs * 1000;
  const to = options.durationMs > 0 ? from + options.durationMs * 1000 : Number.POSITIVE_INFINITY;
  const weights = sampleWeights(profile, options.wall ?? false);
  for (let i = 0; i < profile.samples.length; i++) {
    elapsed += profile.timeDeltas[i] ?? 0;
    if (elapsed < from || elapsed > to) continue;
    const micros = weights[i] ?? 0;
    const id = profile.samples[i] ?? -1;
    const frame = nodes.get(id)?.callFrame;
    if (frame === undefined) continue;
    if (frame.functionName === '(idle)') {
      idle += micros;
      continue;
    }
    busy += micros;
    const pkg = packageOf(frame);
    const location = frame.url === '' && !SPECIAL.has(frame.functionName) ? jsCaller(id, tree) : locationOf(frame);
    add(
      byFunction,
      `${frame.functionName}@${location}`,
      `${frame.functionName || '(anonymous)'} ${location}`.trim(),
      pkg,
      micros,
    );
    add(byPackage, pkg, pkg, pkg, micros);
    const file = frame.url === '' ? pkg : locationOf(frame).replace(/:\d+$/, '');
    add(byFile, file, file, pkg, micros);
    const charge = charges.get(id) ?? chargedTo(id, tree);
    charges.set(id, charge);
    add(byCharge, charge, charge, charge, micros);
  }
  const byConcern = new Map<string, Tally>();
  for (const tally of byCharge.values()) {
    const concern = concernOf(tally.label);
    add(byConcern, concern, concern, concern, tally.micros);
  }
  const percent = (micros: number): string => `${((micros / Math.max(busy, 1)) * 100).toFixed(1).padStart(5)}%`;
  const { requests } = options;
  const ms = (micros: number): string =>
    `${(micros / 1000).toFixed(0).padStart(6)} ms${requests === undefined ? '' : ` ${(micros / requests).toFixed(1).padStart(6)} µs/req`}`;
  const list = (map: Map<string, Tally>, count: number, withPackage: boolean): string[] =>
    [...map.values()]
      .sort((a, b) => b.micros - a.micros)
      .slice(0, count)
      .map((t) => `  ${percent(t.micros)} ${ms(t.micros)}  ${t.label}${withPackage ? `  [${t.pkg}]` : ''}`);
  return [
    `${title}: samples from ${options.skipMs} ms${options.durationMs > 0 ? ` for ${options.durationMs} ms` : ''}, ${options.wall ? 'wall-clock weights' : 'counted'}; ${(busy / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle (${((idle / Math.max(busy + idle, 1)) * 100).toFixed(0)}% idle)${requests === undefined ? '' : `, ${requests} answers, ${(busy / requests).toFixed(0)} µs of busy CPU per answer`}; percentages are of busy time`,
    `top ${options.top} functions by self time:`,
    ...list(byFunction, options.top, true),
    'self time by package:',
    ...list(byPackage, 12, false),
    `top ${options.top} files by self time:`,
    ...list(byFile, options.top, true),
    'self time plus the node core work each package called (Gatehouse by file):',
    ...list(byCharge, options.top + 5, false),
    'the same, by concern:',
    ...list(byConcern, 20, false),
  ].join('\n');
}

function main(argv: string[]): void {
  const options: SummaryOptions = { top: 15, skipMs: 0, durationMs: 0 };
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--top') options.top = Number(argv[++i]);
    else if (arg === '--skip-ms') options.skipMs = Number(argv[++i]);
    else if (arg === '--duration-ms') options.durationMs = Number(argv[++i]);
    else if (arg === '--requests') options.requests = Number(argv[++i]);
    else if (arg === '--wall') options.wall = true;
    else files.push(arg);
  }
  if (files.length === 0)
    throw new Error(
      'usage: summarise-profile <file.cpuprofile>… [--top 15] [--skip-ms 0] [--duration-ms 0] [--requests N] [--wall]',
    );
  for (const file of files)
    console.log(`${summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, options, file)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
