import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Backend } from './backends.js';
import { type GatehouseProcess, type GatehouseSettings, startGatehouse } from './gatehouse-process.js';
import type { LoadGenerator } from './load-generator.js';
import { measure, type Row } from './measure.js';
import type { BenchOptions } from './options.js';
import type { Scenario } from './scenarios.js';

/** Compiled to dist/bench/test/bench/: the project root is four levels up. */
export const projectRoot = fileURLToPath(new URL('../../../../', import.meta.url));
/** The real entry point, as `npm start` runs it (built by `tsc -p tsconfig.build.json`). */
export const gatehouseEntry = `${projectRoot}dist/src/server.js`;
export interface GatehouseRun {
  workers?: number | undefined;
  /** Extra start settings (the profile's node flags). */
  settings?: Partial<GatehouseSettings>;
  /** Called with the stopped server and when, after its start, the measured load began (the profile reads what it wrote). */
  afterStop?: (server: GatehouseProcess, loadStartedMs: number) => Promise<void>;
}

/** One scenario against a fresh Gatehouse process on a fresh database (a clean RSS and a profile of its own). */
export async function measureGatehouse(
  generator: LoadGenerator,
  options: BenchOptions,
  backend: Backend,
  scenario: Scenario,
  run: GatehouseRun = {},
): Promise<Row> {
  if (!existsSync(gatehouseEntry)) throw new Error(`${gatehouseEntry} is missing: build first (npm run bench does)`);
  const { dir, databaseUrl } = backend.prepare();
  const started = Date.now();
  let loadStarted = started;
  const server = await startGatehouse(gatehouseEntry, {
    dir,
    databaseUrl,
    redisUrl: backend.redisUrl,
    workers: run.workers,
    ...run.settings,
    nodeArgs: [...options.nodeArgs, ...(run.settings?.nodeArgs ?? [])],
    env: { ...scenario.env, ...run.settings?.env },
  });
  let row: Row;
  try {
    const request = await scenario.request(server.baseUrl);
    const workers = run.workers ?? 1;
    row = await measure(generator, options, {
      id: workers > 1 ? `${scenario.id}-x${workers}` : scenario.id,
      scenario: scenario.title,
      backend: backend.name,
      workers,
      baseUrl: server.baseUrl,
      pid: server.pid,
      request,
      expectedStatus: scenario.expectedStatus,
      onLoadStart: () => {
        loadStarted = Date.now();
      },
    });
    if (workers > 1) {
      const seen = server.childCount();
      row.note =
        seen >= workers
          ? `${seen} worker processes`
          : `skipped: WEB_CONCURRENCY not supported (${seen} worker processes; these are one process's numbers)`;
    }
  } finally {
    await server.stop();
  }
  await run.afterStop?.(server, loadStarted - started);
  return row;
}
