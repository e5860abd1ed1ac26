import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sqliteBackend } from './backends.js';
import type { LoadGenerator } from './load-generator.js';
import type { Row } from './measure.js';
import { type BenchOptions, selected } from './options.js';
import { loadAverage } from './report.js';
import { measureGatehouse, projectRoot } from './run-scenario.js';
import { GATEHOUSE_SCENARIOS, PROFILE_SCENARIO_IDS } from './scenarios.js';
import { type CpuProfile, summariseProfile } from './summarise-profile.js';

/**
 * `npm run bench -- --profile`: each profiled scenario against its own Gatehouse started with
 * `--cpu-prof` (through NODE_OPTIONS), then a summary of the samples taken during the measured
 * load only. The profiles stay in dist/bench/profiles/ (not committed); the summaries are
 * printed and written to <results-dir>/profile-latest.txt. The profiler slows the server a
 * little: read the req/s here as relative, the speed run's as the numbers.
 */
export async function runProfile(generator: LoadGenerator, options: BenchOptions): Promise<number> {
  const root = join(projectRoot, 'dist', 'bench', 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
  console.log(
    `gatehouse profile: ${generator.name}, ${options.connections} connections, ${options.seconds} s per scenario, SQLite; profiles in ${root}`,
  );
  const summaries: string[] = [];
  const rows: Row[] = [];
  for (const scenario of GATEHOUSE_SCENARIOS) {
    if (!PROFILE_SCENARIO_IDS.includes(scenario.id) || !selected(options, scenario.id)) continue;
    const dir = join(root, scenario.id);
    mkdirSync(dir, { recursive: true });
    const row = await measureGatehouse(generator, options, sqliteBackend(), scenario, {
      settings: { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] },
      afterStop: async (_server, loadStartedMs) => {
        for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
          const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
          const title = `${scenario.title} (${file})`;
          summaries.push(
            summariseProfile(profile, { top: 15, skipMs: loadStartedMs, durationMs: options.seconds * 1000 }, title),
          );
        }
      },
    });
    rows.push(row);
    const summary = summaries.at(-1);
    if (summary === undefined) console.error(`  no profile was written for ${scenario.title}`);
    else console.log(`\n${summary}\n`);
  }
  const header = [
    `gatehouse CPU profiles, ${new Date().toISOString()}, ${generator.name}, ${options.connections} connections, ${options.seconds} s of load per scenario, SQLite, bcrypt 12, LOG_LEVEL info; load average ${loadAverage()}`,
    ...rows.map((row) => `  ${row.scenario}: ${row.requestsPerSecond} req/s, p99 ${row.p99Ms} ms under the profiler`),
  ];
  mkdirSync(options.resultsDir, { recursive: true });
  const file = join(options.resultsDir, options.only.length === 0 ? 'profile-latest.txt' : 'profile-partial.txt');
  writeFileSync(file, `${[...header, '', ...summaries].join('\n\n')}\n`);
  console.log(`summaries written to ${file}`);
  return rows.some((row) => row.mismatches + row.errors > 0) ? 1 : 0;
}
