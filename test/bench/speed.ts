import { type Backend, postgresBackend, sqliteBackend } from './backends.js';
import { FLOOR_ID, FLOORS, type FloorProcess, measureFloor, startFloor } from './floors.js';
import type { LoadGenerator } from './load-generator.js';
import type { Row } from './measure.js';
import { type BenchOptions, selected } from './options.js';
import { loadAverage, machine, markdownTable, withRatios, writeJson } from './report.js';
import { measureGatehouse } from './run-scenario.js';
import { GATEHOUSE_SCENARIOS, WORKER_SCENARIO_IDS } from './scenarios.js';

async function gatehouseRows(
  generator: LoadGenerator,
  options: BenchOptions,
  backend: Backend,
  pairedFloor: FloorProcess | undefined,
  ids?: string[],
  workers?: number,
): Promise<Row[]> {
  const rows: Row[] = [];
  try {
    for (const scenario of GATEHOUSE_SCENARIOS) {
      if (ids !== undefined && !ids.includes(scenario.id)) continue;
      if (!selected(options, scenario.id)) continue;
      // The floor process is long warm: no warm-up again.
      const floor = await pairedFloor?.measure(generator, { ...options, warmUpSeconds: 0 }, 'floor-paired');
      const row = await measureGatehouse(generator, options, backend, scenario, { workers });
      if (floor !== undefined) {
        const { requestsPerSecond, p99Ms, cpuUsPerRequest } = floor;
        row.pairedFloor = { requestsPerSecond, p99Ms, cpuUsPerRequest };
      }
      rows.push(row);
    }
  } finally {
    await backend.dispose();
  }
  return rows;
}

/**
 * The speed run: floors, then Gatehouse on SQLite, on PostgreSQL + Redis when configured, with
 * WEB_CONCURRENCY workers, and the validator floor once more at the end to show how much the
 * machine drifted meanwhile (other work on it lowers every number; ratios within one run hold).
 * With --paired the floor also runs before every Gatehouse scenario, and each ratio is taken
 * against that neighbour: on a machine whose load drifts, only neighbours compare.
 */
async function allRows(
  generator: LoadGenerator,
  options: BenchOptions,
  paired: FloorProcess | undefined,
): Promise<Row[]> {
  const rows: Row[] = [];
  console.log('floors (each in its own process):');
  for (const floor of FLOORS) {
    if (!selected(options, floor.id)) continue;
    rows.push(
      await (floor === paired?.floor ? paired.measure(generator, options) : measureFloor(generator, options, floor)),
    );
  }

  console.log('gatehouse on SQLite (node dist/src/server.js, a fresh process and database per scenario):');
  rows.push(...(await gatehouseRows(generator, options, sqliteBackend(), paired)));

  const { TEST_DATABASE_URL: databaseUrl, TEST_REDIS_URL: redisUrl } = process.env;
  if (databaseUrl !== undefined && redisUrl !== undefined) {
    console.log('gatehouse on PostgreSQL + Redis:');
    rows.push(...(await gatehouseRows(generator, options, await postgresBackend(databaseUrl, redisUrl), paired)));
  } else console.log('SKIPPED: PostgreSQL + Redis — set TEST_DATABASE_URL and TEST_REDIS_URL to run them');

  if (options.workers > 1) {
    console.log(`gatehouse on SQLite with WEB_CONCURRENCY=${options.workers}:`);
    const ids = WORKER_SCENARIO_IDS;
    rows.push(...(await gatehouseRows(generator, options, sqliteBackend(), paired, ids, options.workers)));
  }

  const floor = FLOORS.find((candidate) => candidate.id === FLOOR_ID);
  if (floor !== undefined && rows.some((row) => row.id === FLOOR_ID)) {
    console.log('the floor again (drift check):');
    const id = `${FLOOR_ID}-again`;
    const again = await (paired === undefined
      ? measureFloor(generator, options, floor, id)
      : paired.measure(generator, { ...options, warmUpSeconds: 0 }, id));
    again.scenario = `${floor.title.replace(' (the floor)', '')}, again at the end`;
    rows.push(again);
  }
  return rows;
}

export async function runSpeed(generator: LoadGenerator, options: BenchOptions): Promise<number> {
  const loadBefore = loadAverage();
  console.log(
    `gatehouse bench: ${generator.name}, 1 thread, ${options.connections} connections, ${options.warmUpSeconds} s warm-up + ${options.seconds} s per scenario, bcrypt 12, loopback; load average ${loadBefore}`,
  );
  const rows: Row[] = [];
  const validator = FLOORS.find((candidate) => candidate.id === FLOOR_ID);
  const paired = options.paired && validator !== undefined ? await startFloor(validator) : undefined;
  try {
    rows.push(...(await allRows(generator, options, paired)));
  } finally {
    await paired?.stop();
  }
  const first = rows.find((row) => row.id === FLOOR_ID);
  const again = rows.find((row) => row.id === `${FLOOR_ID}-again`);
  const drift =
    first === undefined || again === undefined
      ? undefined
      : Math.round((again.requestsPerSecond / first.requestsPerSecond - 1) * 100);

  const table = withRatios(rows);
  const loadAfter = loadAverage();
  const against = options.paired ? 'the floor measured just before each' : 'the floor measured at the start';
  console.log(`\n${markdownTable(table)}\n\nratios: Gatehouse rows against ${against}`);
  console.log(
    `load average before ${loadBefore}, after ${loadAfter}${drift === undefined ? '' : `; the floor moved ${drift}% between the start and the end of the run`}`,
  );
  const file = writeJson(options, options.only.length === 0 ? 'latest.json' : 'partial.json', {
    date: new Date().toISOString(),
    machine: { ...machine(), loadBefore, loadAfter },
    generator: generator.name,
    settings: {
      connections: options.connections,
      seconds: options.seconds,
      warmUpSeconds: options.warmUpSeconds,
      threads: 1,
      paired: options.paired,
      bcryptCost: 12,
      logLevel: 'info',
      nodeArgs: options.nodeArgs,
    },
    floor: FLOOR_ID,
    floorDriftPercent: drift,
    rows: table,
  });
  console.log(`written to ${file}`);
  const failed = table.filter((row) => row.mismatches > 0 || row.errors > 0 || row.requests === 0);
  if (failed.length === 0) return 0;
  console.error(
    `bench: unexpected statuses, errors or no answers in ${failed.map((row) => `${row.scenario} [${row.backend}]`).join(', ')}`,
  );
  return 1;
}
