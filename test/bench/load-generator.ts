import type { BenchOptions } from './options.js';

/** One request as a load generator sends it. Only ASCII (both generators put it on the wire verbatim). */
export interface LoadRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadSpec {
  baseUrl: string;
  /** One request for a scenario; many are sent in turn (the soak), each connection moving on to the next. */
  requests: LoadRequest[];
  /** Where in `requests` to begin (a soak in several runs carries on where the last one stopped). */
  startAt?: number;
  seconds: number;
  connections: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers by status code. */
  statuses: Record<string, number>;
  /** Connect, read and write errors and timeouts: requests that got no answer at all. */
  errors: number;
}

/** wrk or autocannon: one of them drives a whole run, so every number in a table is measured alike. */
export interface LoadGenerator {
  readonly name: string;
  run(spec: LoadSpec): Promise<LoadResult>;
}

export async function loadGenerator(options: BenchOptions): Promise<LoadGenerator> {
  if (options.generator === 'wrk') {
    const { WrkGenerator } = await import('./wrk.js');
    return WrkGenerator.create();
  }
  const { AutocannonGenerator } = await import('./autocannon-generator.js');
  return new AutocannonGenerator();
}

/** Answers whose status is not the expected one. */
export function mismatches(result: LoadResult, expectedStatus: number): number {
  return Object.entries(result.statuses).reduce(
    (sum, [status, count]) => (Number(status) === expectedStatus ? sum : sum + count),
    0,
  );
}
