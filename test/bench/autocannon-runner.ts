import autocannon from 'autocannon';
import type { LoadResult, LoadSpec } from './load-generator.js';

/**
 * autocannon in a process of its own: it is JavaScript, and in the server's process (or the
 * benchmark's) its own work would be measured with the server's. Receives one LoadSpec over IPC,
 * answers one LoadResult, exits.
 */
process.once('message', (spec: LoadSpec) => {
  void run(spec).then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (error: unknown) => process.send?.({ error: String(error) }, () => process.exit(1)),
  );
});

async function run(spec: LoadSpec): Promise<LoadResult> {
  const [first] = spec.requests;
  if (first === undefined) throw new Error('autocannon: no request to send');
  const result = await autocannon({
    url: spec.baseUrl,
    connections: spec.connections,
    duration: spec.seconds,
    timeout: 10,
    // autocannon always begins at the first request: rotate the list instead.
    requests: [...spec.requests.slice(spec.startAt ?? 0), ...spec.requests.slice(0, spec.startAt ?? 0)],
  });
  const statuses: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) statuses[status] = stats.count;
  return {
    requests: result.requests.total,
    seconds: result.duration,
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    statuses,
    errors: result.errors + result.timeouts,
  };
}
