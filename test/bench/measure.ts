import { type LoadGenerator, type LoadRequest, mismatches } from './load-generator.js';
import { PeakRss } from './memory.js';
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
  /** Answers with another status than expected. */
  mismatches: number;
  /** Requests that got no answer (connect/read/write errors, timeouts). */
  errors: number;
  statuses: Record<string, number>;
  /** Against the Express + validator floor: req/s over the floor's, p99 over the floor's. */
  rpsRatio?: number;
  p99Ratio?: number;
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
  if (options.warmUpSeconds > 0) await generator.run({ ...spec, seconds: options.warmUpSeconds });
  target.onLoadStart?.();
  const rss = new PeakRss(target.pid);
  let peakRss = 0;
  const result = await generator.run({ ...spec, seconds: options.seconds }).finally(() => {
    peakRss = rss.stop();
  });
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
    mismatches: mismatches(result, target.expectedStatus),
    errors: result.errors,
    statuses: result.statuses,
  };
  console.log(`  ${describe(row)}`);
  return row;
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function describe(row: Row): string {
  const problems =
    row.mismatches + row.errors > 0 ? `  !! ${row.mismatches} unexpected statuses, ${row.errors} errors` : '';
  return `${row.scenario} [${row.backend}${row.workers > 1 ? ` ×${row.workers}` : ''}]: ${row.requestsPerSecond} req/s, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, peak RSS ${row.peakRssMb} MB${problems}`;
}
