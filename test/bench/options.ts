import { execFileSync } from 'node:child_process';

export type Mode = 'speed' | 'soak' | 'profile';
export type GeneratorName = 'wrk' | 'autocannon';
export const SOAK_KINDS = ['keys', 'sessions', 'usernames'] as const;
export type SoakKind = (typeof SOAK_KINDS)[number];

export interface BenchOptions {
  mode: Mode;
  generator: GeneratorName;
  /** Seconds of measured load per scenario, after the warm-up. */
  seconds: number;
  warmUpSeconds: number;
  /** ...and on until this many answers (a starved server warms slowly). */
  warmUpRequests: number;
  connections: number;
  /** Extra Gatehouse runs with WEB_CONCURRENCY set to this; 0 turns them off. */
  workers: number;
  /** Measure the floor again just before each Gatehouse scenario and take its ratios against that (a busy, drifting machine). */
  paired: boolean;
  /** Only scenarios whose name contains one of these (all when empty). */
  only: string[];
  soakSeconds: number;
  /** Which distinct credentials the soak sends (all three by default; one alone shows which grows memory). */
  soakKinds: SoakKind[];
  /** The first seconds of a soak, left out of the RSS verdict (caches and JIT filling up). */
  soakWarmUpSeconds: number;
  /** bcrypt cost of the soak's server: at 12 only a few hundred of the failing usernames could be tried in a minute. */
  soakBcryptCost: number;
  /** Node flags for every Gatehouse process of the run (V8 heap sizing, say), space-separated. */
  nodeArgs: string[];
  /** Extra environment for the soak's Gatehouse process (MALLOC_ARENA_MAX=2, say). */
  soakEnv: Record<string, string>;
  /** Where to write the JSON (speed mode); profile mode writes its summary beside it. */
  resultsDir: string;
}

const USAGE = `npm run bench -- [--soak | --profile] [--generator wrk|autocannon] [--duration 5] [--warmup 2] [--warmup-requests 5000]
  [--connections 32] [--workers 2] [--paired] [--only healthz,basic] [--soak-seconds 60] [--soak-kinds keys,sessions,usernames]
  [--soak-warmup 20]
  [--soak-bcrypt-cost 4] [--node-args "--max-semi-space-size=4"] [--soak-env MALLOC_ARENA_MAX=2,...] [--results-dir test/bench/results]`;

function hasWrk(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function parseOptions(argv: string[]): BenchOptions {
  const options: BenchOptions = {
    mode: 'speed',
    generator: hasWrk() ? 'wrk' : 'autocannon',
    seconds: 5,
    warmUpSeconds: 2,
    warmUpRequests: 5000,
    connections: 32,
    workers: 2,
    only: [],
    paired: false,
    soakSeconds: 60,
    soakKinds: [...SOAK_KINDS],
    soakWarmUpSeconds: 20,
    soakBcryptCost: 4,
    nodeArgs: [],
    soakEnv: {},
    resultsDir: 'test/bench/results',
  };
  const rest = [...argv];
  const value = (flag: string): string => {
    const next = rest.shift();
    if (next === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    return next;
  };
  const number = (flag: string): number => {
    const parsed = Number(value(flag));
    if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${flag} needs a number\n${USAGE}`);
    return parsed;
  };
  while (rest.length > 0) {
    const flag = rest.shift() as string;
    if (flag === '--soak') options.mode = 'soak';
    else if (flag === '--profile') options.mode = 'profile';
    else if (flag === '--paired') options.paired = true;
    else if (flag === '--generator') {
      const name = value(flag);
      if (name !== 'wrk' && name !== 'autocannon') throw new Error(`--generator is wrk or autocannon\n${USAGE}`);
      options.generator = name;
    } else if (flag === '--duration') options.seconds = number(flag);
    else if (flag === '--warmup') options.warmUpSeconds = number(flag);
    else if (flag === '--warmup-requests') options.warmUpRequests = number(flag);
    else if (flag === '--connections') options.connections = number(flag);
    else if (flag === '--workers') options.workers = number(flag);
    else if (flag === '--only')
      options.only = value(flag)
        .split(',')
        .map((part) => part.trim().toLowerCase());
    else if (flag === '--soak-seconds') options.soakSeconds = number(flag);
    else if (flag === '--soak-kinds') {
      const kinds = value(flag).split(',');
      const unknown = kinds.filter((kind) => !(SOAK_KINDS as readonly string[]).includes(kind));
      if (unknown.length > 0) throw new Error(`--soak-kinds takes ${SOAK_KINDS.join(',')}\n${USAGE}`);
      options.soakKinds = kinds as SoakKind[];
    } else if (flag === '--soak-warmup') options.soakWarmUpSeconds = number(flag);
    else if (flag === '--soak-bcrypt-cost') options.soakBcryptCost = number(flag);
    else if (flag === '--node-args') options.nodeArgs = value(flag).split(' ').filter(Boolean);
    else if (flag === '--soak-env')
      options.soakEnv = Object.fromEntries(
        value(flag)
          .split(',')
          .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
      );
    else if (flag === '--results-dir') options.resultsDir = value(flag);
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  if (options.generator === 'wrk' && !hasWrk())
    throw new Error('--generator wrk: wrk is not installed (apt-get install wrk)');
  return options;
}

export function selected(options: BenchOptions, scenario: string): boolean {
  return options.only.length === 0 || options.only.some((part) => scenario.toLowerCase().includes(part));
}
