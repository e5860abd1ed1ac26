import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sqliteBackend } from './backends.js';
import { FLOOR_ID, FLOORS, startFloor } from './floors.js';
import type { LoadGenerator } from './load-generator.js';
import type { Row } from './measure.js';
import { type BenchOptions, selected } from './options.js';
import { loadAverage } from './report.js';
import { measureGatehouse, projectRoot } from './run-scenario.js';
import { GATEHOUSE_SCENARIOS, PROFILE_SCENARIO_IDS } from './scenarios.js';
import { type CpuProfile, summariseProfile } from './summarise-profile.js';

/** Summarises the profiles a process wrote into `dir`, keeping only the samples of the measured load. */
function summarise(dir: string, title: string, row: Row, loadStartedMs: number, options: BenchOptions): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((file) => {
      const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
      const window = { top: 15, skipMs: loadStartedMs, durationMs: options.seconds * 1000, requests: row.requests };
      return summariseProfile(profile, window, `${title} (${file})`);
    });
}

/**
 * `npm run bench -- --profile`: the Express + validator floor and each profiled Gatehouse
 * scenario in a process of its own started with `node --cpu-prof`, then a summary of the samples
 * taken during the measured load only, with CPU µs per answer so Gatehouse's costs can be set
 * against the floor's. The profiles stay in dist/bench/profiles/ (not committed); the summaries
 * are printed and written to <results-dir>/profile-latest.txt. The profiler slows every process
 * a little: read req/s here as relative, the speed run's as the numbers.
 */
export async function runProfile(generator: LoadGenerator, options: BenchOptions): Promise<number> {
  const root = join(projectRoot, 'dist', 'bench', 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
  console.log(
    `gatehouse profile: ${generator.name}, ${options.connections} connections, ${options.seconds} s per scenario, SQLite; profiles in ${root}`,
  );
  const summaries: string[] = [];
  const rows: Row[] = [];
  const profileFlags = (dir: string): string[] => {
    mkdirSync(dir, { recursive: true });
    return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
  };

  const floor = FLOORS.find((candidate) => candidate.id === FLOOR_ID);
  if (floor !== undefined && selected(options, FLOOR_ID)) {
    const dir = join(root, FLOOR_ID);
    const started = Date.now();
    let loadStarted = started;
    const running = await startFloor(floor, profileFlags(dir));
    const row = await running.measure(generator, options, FLOOR_ID, () => {
      loadStarted = Date.now();
    });
    await running.stop();
    rows.push(row);
    summaries.push(...summarise(dir, floor.title, row, loadStarted - started, options));
  }

  for (const scenario of GATEHOUSE_SCENARIOS) {
    if (!PROFILE_SCENARIO_IDS.includes(scenario.id) || !selected(options, scenario.id)) continue;
    const dir = join(root, scenario.id);
    let loadStartedMs = 0;
    const row = await measureGatehouse(generator, options, sqliteBackend(), scenario, {
      settings: { nodeArgs: profileFlags(dir) },
      afterStop: async (_server, startedMs) => {
        loadStartedMs = startedMs;
      },
    });
    rows.push(row);
    summaries.push(...summarise(dir, scenario.title, row, loadStartedMs, options));
  }

  for (const summary of summaries) console.log(`\n${summary}`);
  const header = [
    `gatehouse CPU profiles, ${new Date().toISOString()}, ${generator.name}, ${options.connections} connections, ${options.seconds} s of load per scenario, SQLite, bcrypt 12, LOG_LEVEL info; load average ${loadAverage()}`,
    ...rows.map(
      (row) =>
        `  ${row.scenario}: ${row.requestsPerSecond} req/s, p99 ${row.p99Ms} ms, ${row.cpuUsPerRequest} µs CPU per answer (all threads) under the profiler`,
    ),
  ];
  mkdirSync(options.resultsDir, { recursive: true });
  const file = join(options.resultsDir, options.only.length === 0 ? 'profile-latest.txt' : 'profile-partial.txt');
  writeFileSync(file, `${header.join('\n')}\n\n${summaries.join('\n\n')}\n`);
  console.log(`\nsummaries written to ${file}`);
  return rows.some((row) => row.mismatches + row.errors > 0) ? 1 : 0;
}
