import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/config.js';
import { projectRoot } from '../../src/paths.js';

/**
 * The settings the configuration reads, found from the code itself rather than from a list that
 * could drift: every variable parseConfig looks up (recorded through a Proxy, under each
 * NODE_ENV), plus every `env.NAME` / `env['NAME']` / `helper('NAME', …)` in src/config/, which
 * catches a setting read only when another one is set.
 */
export function settingsTheConfigReads(): string[] {
  const names = new Set<string>();
  for (const nodeEnv of [undefined, 'development', 'test', 'production']) {
    const env = new Proxy<Record<string, string | undefined>>(
      {},
      {
        get(_target, key) {
          if (typeof key === 'string') names.add(key);
          return key === 'NODE_ENV' ? nodeEnv : undefined;
        },
      },
    );
    parseConfig(env);
  }
  const configDir = join(projectRoot, 'src', 'config');
  const patterns = [
    /\benv\??\.([A-Z][A-Z0-9_]+)\b/g,
    /\benv\[\s*['"]([A-Z][A-Z0-9_]+)['"]\s*\]/g,
    /\(\s*'([A-Z][A-Z0-9_]+)'\s*[,)]/g,
  ];
  for (const file of readdirSync(configDir).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(join(configDir, file), 'utf8');
    for (const pattern of patterns) for (const match of source.matchAll(pattern)) names.add(match[1] ?? '');
  }
  names.delete('');
  return [...names].sort();
}

export interface ExampleEntry {
  value: string;
  /** The comment lines right above the setting, without their `#`. */
  comment: string;
}

export const ENV_EXAMPLE_FILE = join(projectRoot, '.env.example');

/** The settings of `.env.example`: `NAME=value` lines, each with the comment above it. */
export function readEnvExample(file = ENV_EXAMPLE_FILE): Map<string, ExampleEntry> {
  const entries = new Map<string, ExampleEntry>();
  let comment: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) comment.push(trimmed.replace(/^#\s?/, ''));
    else if (trimmed === '') comment = [];
    else {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(trimmed);
      if (match === null) throw new Error(`.env.example: "${trimmed}" is not NAME=value`);
      entries.set(match[1] ?? '', { value: match[2] ?? '', comment: comment.join(' ') });
      comment = [];
    }
  }
  return entries;
}

/** Settings DESIGN.md §5 announces, so the failure for a newly read one can say exactly what to add. */
const ANNOUNCED: Record<string, { meaning: string; value: string; shown: string }> = {
  ACCOUNT_MAX_FAILURES: {
    meaning: 'Failed sign-ins one username may have in 24 hours, from any address, before it is throttled.',
    value: '100',
    shown: '100',
  },
  API_KEY_MAX_PER_USER: { meaning: 'Active API keys one user may hold.', value: '100', shown: '100' },
  WEB_CONCURRENCY: { meaning: 'Worker processes sharing the port (1 runs the server alone).', value: '1', shown: '1' },
  METRICS_PORT: {
    meaning: 'Port of the separate Prometheus metrics listener.',
    value: '',
    shown: 'not set (metrics off)',
  },
  METRICS_HOST: {
    meaning: 'Address the metrics listener binds; keep it off the public network.',
    value: '127.0.0.1',
    shown: '127.0.0.1',
  },
  SHUTDOWN_TIMEOUT_SECONDS: {
    meaning: 'Seconds requests in flight may take to finish after SIGTERM or SIGINT.',
    value: '10',
    shown: '10',
  },
  AUDIT_RETENTION_DAYS: { meaning: 'Audit events older than this many days are purged.', value: '365', shown: '365' },
};

/** The lines to paste into `.env.example` for a setting it lacks. */
export function suggestedEntry(name: string): string {
  const known = ANNOUNCED[name];
  if (known === undefined)
    return `# <what ${name} means, in one line>. Default: <its default>.\n${name}=<its default, or empty when it has none>`;
  return `# ${known.meaning} Default: ${known.shown}.\n${name}=${known.value}`;
}
