import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/**
 * Loaded into a Gatehouse process with `--import` (the soak's `--node-args`), samples what the
 * process allocates that outlives the young generation: V8's sampling heap profiler, keeping the
 * objects a full collection freed or that are still alive, and dropping those a scavenge freed.
 * That is what fills the old space between full collections. From PROMOTION_SAMPLE_START seconds
 * after start (15) for PROMOTION_SAMPLE_SECONDS (30), written to PROMOTION_SAMPLE_OUT as a
 * .heapprofile (Chrome DevTools reads it; summarise-promotion.ts sums it by allocation site).
 *
 *   node dist/bench/test/bench/run-bench.js --soak --node-args "--import ./dist/bench/test/bench/promotion-sampler.js"
 *     --soak-env PROMOTION_SAMPLE_OUT=/tmp/soak.heapprofile
 */
const startSeconds = Number(process.env.PROMOTION_SAMPLE_START ?? 15);
const seconds = Number(process.env.PROMOTION_SAMPLE_SECONDS ?? 30);
const out = process.env.PROMOTION_SAMPLE_OUT ?? 'promoted.heapprofile';

const session = new Session();
session.connect();

function report(error: Error | null): void {
  if (error !== null) process.stderr.write(`promotion sampler: ${error.message}\n`);
}

setTimeout(() => {
  session.post(
    'HeapProfiler.startSampling',
    { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false },
    report,
  );
  setTimeout(() => {
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error !== null) return report(error);
      writeFileSync(out, JSON.stringify(result.profile));
      process.stderr.write(`promotion sampler: ${seconds} s written to ${out}\n`);
    });
  }, seconds * 1000).unref();
}, startSeconds * 1000).unref();
