import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import { projectRoot, specFile } from '../../src/paths.js';

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** The stages of a Dockerfile: continuation lines joined, comments dropped, keywords upper-cased. */
export function readDockerfile(file = join(projectRoot, 'Dockerfile')): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (/^\s*#/.test(line)) continue;
    const continued = /\\\s*$/.test(line);
    pending += `${line.replace(/\\\s*$/, '').trim()} `;
    if (!continued) {
      if (pending.trim() !== '') logical.push(pending.trim());
      pending = '';
    }
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const [from = '', as, name] = rest;
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else stages.at(-1)?.instructions.push(instruction);
  }
  return stages;
}

/**
 * What `npm run <script>` reads from the checkout: the files and folders its command lines name
 * (following `npm run`), and for a tsconfig what it extends and includes. Outputs (dist/) are not inputs.
 */
export function scriptInputs(script: string): string[] {
  const { scripts } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const inputs = new Set<string>();
  const visit = (name: string): void => {
    const tokens = (scripts[name] ?? '').split(/[\s;&|]+/).filter((token) => token !== '');
    tokens.forEach((token, i) => {
      if (tokens[i - 2] === 'npm' && tokens[i - 1] === 'run')
        visit(tokens.slice(i).find((t) => !t.startsWith('-')) ?? '');
      if (token.startsWith('dist/') || token.startsWith('-') || !existsSync(join(projectRoot, token))) return;
      inputs.add(token);
      if (/^tsconfig.*\.json$/.test(token)) {
        const tsconfig = JSON.parse(readFileSync(join(projectRoot, token), 'utf8')) as {
          extends?: string;
          include?: string[];
        };
        const base =
          tsconfig.extends === undefined
            ? {}
            : (JSON.parse(readFileSync(join(projectRoot, tsconfig.extends), 'utf8')) as { include?: string[] });
        if (tsconfig.extends !== undefined) inputs.add(posix.normalize(tsconfig.extends));
        for (const include of tsconfig.include ?? base.include ?? []) inputs.add(include);
      }
    });
  };
  visit(script);
  return [...inputs].sort();
}

/** The first (build) and last (runtime) stages, which every Dockerfile here must have. */
export function buildAndRuntime(stages: Stage[]): { build: Stage; runtime: Stage } {
  const [build, runtime] = [stages[0], stages.at(-1)];
  if (build === undefined || runtime === undefined) throw new Error('the Dockerfile has no stage');
  return { build, runtime };
}

export function instructions(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** `ENV A=1 B=2` (and the old `ENV A 1`) as a record. */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of instructions(stage, 'ENV')) {
    if (!args.includes('=')) {
      const [name = '', ...value] = args.split(/\s+/);
      env[name] = value.join(' ');
    } else
      for (const pair of args.split(/\s+/))
        env[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1).replace(/^"(.*)"$/, '$1');
  }
  return env;
}

/** A COPY's flags, sources and destination. */
export function parseCopy(args: string): { from: string | undefined; sources: string[]; destination: string } {
  const words = args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' };
}

/** The exec form (`["node", "x.js"]`) of a CMD or HEALTHCHECK's CMD. */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  return JSON.parse(json) as string[];
}

/** The parts of a compose file these tests read. */
export interface ComposeService {
  build?: string | { context?: string; dockerfile?: string };
  image?: string;
  command?: unknown;
  entrypoint?: unknown;
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  volumes?: string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
  healthcheck?: { test?: string[] };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

export function readCompose(file = join(projectRoot, 'compose.yaml')): ComposeFile {
  return parse(readFileSync(file, 'utf8')) as ComposeFile;
}

/** Strong values for the secrets compose.yaml asks of its environment, as an operator would give them. */
export const COMPOSE_SECRETS = {
  POSTGRES_PASSWORD: 'c0ffee'.repeat(8),
  SESSION_KEYS: 'q3J9vX2mL8pR4tY7wZ1cF6hK0nB5sD2gA8eU4iO9',
};

/**
 * Compose's `${NAME}`, `${NAME:?message}` and `${NAME:-default}` filled in as an operator would:
 * from `values`, else the default.
 */
export function interpolate(text: string, values: Record<string, string>): string {
  return text.replace(
    /\$\{([A-Z0-9_]+)(?::?([?-])([^}]*))?\}/g,
    (_all, name: string, kind: string | undefined, rest: string | undefined) => {
      const value = values[name];
      if (value !== undefined && value !== '') return value;
      if (kind === '-') return rest ?? '';
      throw new Error(`compose needs ${name}: ${rest ?? 'not set'}`);
    },
  );
}

/** The paths of the contract, e.g. `/healthz`. */
export function contractPaths(): string[] {
  return Object.keys((parse(readFileSync(specFile, 'utf8')) as { paths: Record<string, unknown> }).paths);
}
