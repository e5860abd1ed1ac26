import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { type Row, round2 } from './measure.js';
import type { BenchOptions } from './options.js';

/** The floor every ratio is taken against: Express 5 + express-openapi-validator, one route. */
export const FLOOR_ID = 'floor-validator';

export function withRatios(rows: Row[]): Row[] {
  const floor = rows.find((row) => row.id === FLOOR_ID);
  if (floor === undefined) return rows;
  return rows.map((row) => ({
    ...row,
    rpsRatio: round2(row.requestsPerSecond / floor.requestsPerSecond),
    p99Ratio: round2(row.p99Ms / floor.p99Ms),
  }));
}

export function loadAverage(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}

export function machine(): Record<string, string | number> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    // Not a git checkout: the JSON says unknown.
  }
  return { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, commit };
}

const fmt = (value: number | undefined, digits = 0): string =>
  value === undefined
    ? ''
    : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A Markdown table, so the README can show the run as printed. */
export function markdownTable(rows: Row[]): string {
  const lines = [
    '| scenario | store | req/s | p50 ms | p99 ms | peak RSS MB | req/s vs floor | p99 vs floor | unexpected | note |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  for (const row of rows) {
    const store = row.backend === 'floor' ? '—' : `${row.backend}${row.workers > 1 ? `, ${row.workers} workers` : ''}`;
    lines.push(
      `| ${row.scenario} | ${store} | ${fmt(row.requestsPerSecond)} | ${fmt(row.p50Ms, 1)} | ${fmt(row.p99Ms, 1)} | ${fmt(row.peakRssMb)} | ${fmt(row.rpsRatio, 2)} | ${fmt(row.p99Ratio, 2)} | ${row.mismatches + row.errors} | ${row.note ?? ''} |`,
    );
  }
  return lines.join('\n');
}

export function writeJson(options: BenchOptions, file: string, content: unknown): string {
  mkdirSync(options.resultsDir, { recursive: true });
  const path = join(options.resultsDir, file);
  writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`);
  return path;
}
