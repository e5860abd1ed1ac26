import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and says where the CPU went: the functions with the
 * most self time (file:line, % of busy time), then self time by package and by file. "Busy"
 * leaves out (idle); (program) is native work V8 cannot attribute to a JS function (the HTTP
 * parser, syscalls), (garbage collector) is GC; a native function is shown with its nearest
 * JavaScript caller. The last list charges node core's work to the package that asked for it.
 * A window (--skip-ms, --duration-ms) keeps only
 * the samples of the measured load, not start-up.
 *
 *   node dist/bench/test/bench/summarise-profile.js <file.cpuprofile> [--top 15] [--skip-ms 0] [--duration-ms 0] [--requests N] [--wall]
 */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

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

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** The package a script belongs to: the segment after the last node_modules, node core, or Gatehouse itself. */
export function packageOf(frame: CallFrame): string {
  if (SPECIAL.has(frame.functionName)) return frame.functionName;
  const { url } = frame;
  if (url === '') return '(native)';
  if (url.startsWith('node:')) return 'node (core)';
  const at = url.lastIndexOf('/node_modules/');
  if (at >= 0) {
    const [first, second] = url.slice(at + '/node_modules/'.length).split('/');
    return first?.startsWith('@') ? `${first}/${second}` : (first ?? url);
  }
  if (/\/dist\/src\//.test(url)) return 'gatehouse';
  return 'other';
}

/** A short location: the path inside its package (or after dist/), with the 1-based line. */
export function locationOf(frame: CallFrame): string {
  if (frame.url === '') return '';
  let path = frame.url.replace(/^file:\/\//, '');
  const at = path.lastIndexOf('/node_modules/');
  if (at >= 0) path = path.slice(at + '/node_modules/'.length);
  else if (path.includes('/dist/')) path = path.slice(path.indexOf('/dist/') + 1);
  return `${path}:${frame.lineNumber + 1}`;
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

/** For a native function (writev, runMicrotasks): the nearest JavaScript caller, which says whose work it is. */
function jsCaller(id: number, nodes: Map<number, ProfileNode>, parents: Map<number, number>): string {
  for (let at = parents.get(id); at !== undefined; at = parents.get(at)) {
    const frame = nodes.get(at)?.callFrame;
    if (frame !== undefined && frame.url !== '')
      return ` <- ${frame.functionName || '(anonymous)'} ${locationOf(frame)}`;
  }
  return '';
}

/**
 * Packages grouped by what they do for a request, so the summary says what logging, routing,
 * validation or cookies cost in all. Shared helpers go where they are mostly used.
 */
const CONCERNS: Array<[string, string[]]> = [
  [
    'logging (pino-http, pino, redaction, sonic-boom)',
    [
      'pino-http',
      'pino',
      '@pinojs/redact',
      'sonic-boom',
      'pino-std-serializers',
      'quick-format-unescaped',
      'safe-stable-stringify',
      'gatehouse dist/src/http/request-logger.js',
    ],
  ],
  [
    'Express response and routing (express, router, path-to-regexp, etag, finalhandler…)',
    [
      'express',
      'router',
      'path-to-regexp',
      'etag',
      'finalhandler',
      'send',
      'fresh',
      'depd',
      'statuses',
      'on-finished',
      'mime-types',
      'mime-db',
      'vary',
      'encodeurl',
      'escape-html',
      'parseurl',
      'qs',
      'proxy-addr',
      'forwarded',
      'ipaddr.js',
      'accepts',
      'negotiator',
      'range-parser',
      'http-errors',
      'content-disposition',
      'ee-first',
      'setprototypeof',
    ],
  ],
  [
    'body parsing (body-parser, type-is…)',
    ['body-parser', 'raw-body', 'type-is', 'content-type', 'media-typer', 'iconv-lite', 'bytes', 'unpipe'],
  ],
  [
    'express-openapi-validator (and ajv)',
    [
      'express-openapi-validator',
      'ajv',
      'ajv-formats',
      'ajv-draft-04',
      'ajv-errors',
      'fast-deep-equal',
      'fast-uri',
      'json-schema-traverse',
      'lodash.clonedeep',
      'lodash.get',
      'lodash.flatten',
      'lodash.chunk',
      'lodash.topath',
      'lodash',
    ],
  ],
  [
    'cookies and session (cookie-parser, cookie-session, keygrip, tsscmp, on-headers)',
    ['cookie-parser', 'cookie-session', 'cookies', 'keygrip', 'tsscmp', 'cookie', 'cookie-signature', 'on-headers'],
  ],
  [
    'security headers and CORS (helmet, cors)',
    [
      'helmet',
      'cors',
      'object-assign',
      'gatehouse dist/src/http/cors-policy.js',
      'gatehouse dist/src/http/security-headers.js',
    ],
  ],
  [
    'store (kysely, better-sqlite3, pg)',
    [
      'kysely',
      'better-sqlite3',
      'pg',
      'pg-pool',
      'pg-protocol',
      'pg-types',
      'pg-int8',
      'postgres-array',
      'postgres-bytea',
      'postgres-date',
      'postgres-interval',
      'pg-connection-string',
      'split2',
    ],
  ],
  [
    'counters (rate-limiter-flexible, ioredis)',
    [
      'rate-limiter-flexible',
      'ioredis',
      'redis-errors',
      'denque',
      'cluster-key-slot',
      'standard-as-callback',
      '@ioredis/commands',
    ],
  ],
];

function concernOf(charge: string): string {
  for (const [concern, members] of CONCERNS) if (members.includes(charge)) return concern;
  if (charge.startsWith('gatehouse ')) return 'Gatehouse code (dist/src), besides the above';
  return charge;
}

/**
 * Who a sample is charged to: its own package, or for node core and native frames the nearest
 * package up the stack that called into them (writev under Express's res.send is Express's cost,
 * an HMAC under keygrip is keygrip's). Gatehouse is split by file. Samples with only core frames
 * on the stack (the HTTP parser, socket flushes on a later tick) stay node's.
 */
function chargedTo(id: number, nodes: Map<number, ProfileNode>, parents: Map<number, number>): string {
  const own = nodes.get(id)?.callFrame;
  if (own !== undefined && SPECIAL.has(own.functionName)) return own.functionName;
  for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
    const frame = nodes.get(at)?.callFrame;
    if (frame === undefined) break;
    const pkg = packageOf(frame);
    if (pkg === 'gatehouse') return `gatehouse ${locationOf(frame).replace(/:\d+$/, '')}`;
    if (pkg !== 'node (core)' && pkg !== '(native)' && !SPECIAL.has(pkg)) return pkg;
  }
  return 'node (core), called by no package';
}

export function summariseProfile(profile: CpuProfile, options: SummaryOptions, title = 'profile'): string {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map(
    profile.nodes.flatMap((node) => (node.children ?? []).map((child): [number, number] => [child, node.id])),
  );
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
    const location =
      frame.url === '' && !SPECIAL.has(frame.functionName) ? jsCaller(id, nodes, parents) : locationOf(frame);
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
    const charge = charges.get(id) ?? chargedTo(id, nodes, parents);
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
