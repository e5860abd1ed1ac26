import { type LoadGenerator, type LoadRequest, type LoadSpec, mismatches } from './load-generator.js';
import { cpuSpentSince, PeakRss, treeCpu } from './memory.js';
import type { BenchOptions } from './options.js';

export type BackendName = 'floor' | 'sqlite' | 'postgres+redis';

/** One line of the table (and of the JSON). */
export interface Row {
  id: string;
  scenario: string;
  backend: BackendName;
  workers: number;
  expectedStatus: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMb: number;
  /**
   * CPU time the server (all its processes and threads) spent per answer during the load. Unlike
   * req/s and latency it hardly moves when other work shares the machine.
   */
  cpuUsPerRequest: number;
  /** Answers with another status than expected. */
  mismatches: number;
  /** Requests that got no answer (connect/read/write errors, timeouts). */
  errors: number;
  statuses: Record<string, number>;
  /** The floor as measured just before this row (--paired), which its ratios are taken against. */
  pairedFloor?: { requestsPerSecond: number; p99Ms: number; cpuUsPerRequest: number };
  /** Against the Express + validator floor: req/s over the floor's, p99 over the floor's. */
  rpsRatio?: number;
  p99Ratio?: number;
  /** The floor's CPU per answer over this row's: the share of the floor's capacity per core. */
  cpuRatio?: number;
  note?: string;
}

export interface Target {
  id: string;
  scenario: string;
  backend: BackendName;
  workers: number;
  baseUrl: string;
  /** Whose memory is read (a process and its descendants). */
  pid: number;
  request: LoadRequest;
  expectedStatus: number;
  /** Told when the measured load (after the warm-up) begins. */
  onLoadStart?: () => void;
}

/**
 * Checks the first answer (a benchmark of 401s by mistake measures nothing), warms up (JIT,
 * caches, keep-alive connections), then loads the server while reading its RSS every 100 ms.
 */
export async function measure(generator: LoadGenerator, options: BenchOptions, target: Target): Promise<Row> {
  const { request } = target;
  const first = await fetch(`${target.baseUrl}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: request.body ?? null,
  });
  const firstBody = await first.text();
  if (first.status !== target.expectedStatus) {
    throw new Error(
      `${target.scenario}: the first answer is ${first.status}, not ${target.expectedStatus}: ${firstBody.slice(0, 300)}`,
    );
  }
  const spec = { baseUrl: target.baseUrl, requests: [request], connections: options.connections };
  await warmUp(generator, options, spec);
  target.onLoadStart?.();
  const rss = new PeakRss(target.pid);
  const cpuBefore = treeCpu(target.pid);
  let peakRss = 0;
  const result = await generator.run({ ...spec, seconds: options.seconds }).finally(() => {
    peakRss = rss.stop();
  });
  const cpu = cpuSpentSince(cpuBefore, treeCpu(target.pid));
  const row: Row = {
    id: target.id,
    scenario: target.scenario,
    backend: target.backend,
    workers: target.workers,
    expectedStatus: target.expectedStatus,
    requests: result.requests,
    requestsPerSecond: Math.round(result.requestsPerSecond),
    p50Ms: round2(result.p50Ms),
    p99Ms: round2(result.p99Ms),
    peakRssMb: Math.round(peakRss / 1024 / 1024),
    cpuUsPerRequest: Math.round((cpu / Math.max(result.requests, 1)) * 1e6),
    mismatches: mismatches(result, target.expectedStatus),
    errors: result.errors,
    statuses: result.statuses,
  };
  console.log(`  ${describe(row)}`);
  return row;
}

/**
 * Warm-up by count as well as by time: V8 optimises a function after it has run a while, so a
 * slow or starved server needs longer to reach its steady state. At least --warmup seconds, then
 * on in one-second rounds until --warmup-requests answers (at most 10 s in all).
 */
async function warmUp(generator: LoadGenerator, options: BenchOptions, spec: Omit<LoadSpec, 'seconds'>): Promise<void> {
  if (options.warmUpSeconds <= 0) return;
  let answered = (await generator.run({ ...spec, seconds: options.warmUpSeconds })).requests;
  for (let spent = options.warmUpSeconds; answered < options.warmUpRequests && spent < 10; spent++) {
    answered += (await generator.run({ ...spec, seconds: 1 })).requests;
  }
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function describe(row: Row): string {
  const problems =
    row.mismatches + row.errors > 0 ? `  !! ${row.mismatches} unexpected statuses, ${row.errors} errors` : '';
  return `${row.scenario} [${row.backend}${row.workers > 1 ? ` ×${row.workers}` : ''}]: ${row.requestsPerSecond} req/s, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, ${row.cpuUsPerRequest} µs CPU per request, peak RSS ${row.peakRssMb} MB${problems}`;
}
