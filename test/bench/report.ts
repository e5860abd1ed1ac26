import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { FLOOR_ID } from './floors.js';
import { type Row, round2 } from './measure.js';
import type { BenchOptions } from './options.js';

/** Ratios against the floor measured just before the row (--paired), else against the run's floor. */
export function withRatios(rows: Row[]): Row[] {
  const runFloor = rows.find((row) => row.id === FLOOR_ID);
  return rows.map((row) => {
    const floor = row.pairedFloor ?? runFloor;
    if (floor === undefined) return row;
    return {
      ...row,
      rpsRatio: round2(row.requestsPerSecond / floor.requestsPerSecond),
      p99Ratio: round2(row.p99Ms / floor.p99Ms),
      cpuRatio: round2(floor.cpuUsPerRequest / Math.max(row.cpuUsPerRequest, 1)),
    };
  });
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
    '| scenario | store | req/s | p50 ms | p99 ms | CPU µs/req | peak RSS MB | req/s vs floor | p99 vs floor | req per CPU-s vs floor | unexpected | note |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  for (const row of rows) {
    const store = row.backend === 'floor' ? '—' : `${row.backend}${row.workers > 1 ? `, ${row.workers} workers` : ''}`;
    lines.push(
      `| ${row.scenario} | ${store} | ${fmt(row.requestsPerSecond)} | ${fmt(row.p50Ms, 1)} | ${fmt(row.p99Ms, 1)} | ${fmt(row.cpuUsPerRequest)} | ${fmt(row.peakRssMb)} | ${fmt(row.rpsRatio, 2)} | ${fmt(row.p99Ratio, 2)} | ${fmt(row.cpuRatio, 2)} | ${row.mismatches + row.errors} | ${row.note ?? ''} |`,
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
