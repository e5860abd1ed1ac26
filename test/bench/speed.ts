import { type Backend, postgresBackend, sqliteBackend } from './backends.js';
import type { LoadGenerator } from './load-generator.js';
import type { Row } from './measure.js';
import { type BenchOptions, selected } from './options.js';
import { FLOOR_ID, loadAverage, machine, markdownTable, withRatios, writeJson } from './report.js';
import { FLOORS, measureFloor, measureGatehouse } from './run-scenario.js';
import { GATEHOUSE_SCENARIOS, WORKER_SCENARIO_IDS } from './scenarios.js';

async function gatehouseRows(
  generator: LoadGenerator,
  options: BenchOptions,
  backend: Backend,
  ids?: string[],
  workers?: number,
): Promise<Row[]> {
  const rows: Row[] = [];
  try {
    for (const scenario of GATEHOUSE_SCENARIOS) {
      if (ids !== undefined && !ids.includes(scenario.id)) continue;
      if (!selected(options, scenario.id)) continue;
      rows.push(await measureGatehouse(generator, options, backend, scenario, { workers }));
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
 */
export async function runSpeed(generator: LoadGenerator, options: BenchOptions): Promise<number> {
  const loadBefore = loadAverage();
  console.log(
    `gatehouse bench: ${generator.name}, 1 thread, ${options.connections} connections, ${options.warmUpSeconds} s warm-up + ${options.seconds} s per scenario, bcrypt 12, loopback; load average ${loadBefore}`,
  );
  const rows: Row[] = [];
  console.log('floors (each in its own process):');
  for (const floor of FLOORS) if (selected(options, floor.id)) rows.push(await measureFloor(generator, options, floor));

  console.log('gatehouse on SQLite (node dist/src/server.js, a fresh process and database per scenario):');
  rows.push(...(await gatehouseRows(generator, options, sqliteBackend())));

  const { TEST_DATABASE_URL: databaseUrl, TEST_REDIS_URL: redisUrl } = process.env;
  if (databaseUrl !== undefined && redisUrl !== undefined) {
    console.log('gatehouse on PostgreSQL + Redis:');
    rows.push(...(await gatehouseRows(generator, options, await postgresBackend(databaseUrl, redisUrl))));
  } else console.log('SKIPPED: PostgreSQL + Redis — set TEST_DATABASE_URL and TEST_REDIS_URL to run them');

  if (options.workers > 1) {
    console.log(`gatehouse on SQLite with WEB_CONCURRENCY=${options.workers}:`);
    rows.push(...(await gatehouseRows(generator, options, sqliteBackend(), WORKER_SCENARIO_IDS, options.workers)));
  }

  const floor = FLOORS.find((candidate) => candidate.id === FLOOR_ID);
  let drift: number | undefined;
  if (floor !== undefined && rows.some((row) => row.id === FLOOR_ID)) {
    console.log('the floor again (drift check):');
    const again = await measureFloor(generator, options, floor, `${FLOOR_ID}-again`);
    const first = rows.find((row) => row.id === FLOOR_ID);
    drift = first === undefined ? undefined : Math.round((again.requestsPerSecond / first.requestsPerSecond - 1) * 100);
    again.scenario = `${floor.title.replace(' (the floor)', '')}, again at the end`;
    rows.push(again);
  }

  const table = withRatios(rows);
  const loadAfter = loadAverage();
  console.log(`\n${markdownTable(table)}\n`);
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
      bcryptCost: 12,
      logLevel: 'info',
    },
    floor: FLOOR_ID,
    floorDriftPercent: drift,
    rows: table,
  });
  console.log(`written to ${file}`);
  const failed = table.filter((row) => row.mismatches > 0 || row.errors > 0);
  if (failed.length === 0) return 0;
  console.error(
    `bench: unexpected statuses or errors in ${failed.map((row) => `${row.scenario} [${row.backend}]`).join(', ')}`,
  );
  return 1;
}
