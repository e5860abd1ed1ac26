import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadGenerator, LoadRequest, LoadResult, LoadSpec } from './load-generator.js';

const MARKER = 'BENCH_JSON ';

function luaString(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value))
    throw new Error(`wrk: only printable ASCII can be sent (${JSON.stringify(value)})`);
  // JSON's escapes for printable ASCII (\" and \\) are Lua's too.
  return JSON.stringify(value);
}

/** One request: set once on wrk's table, so wrk builds the request buffer once (its fastest path). */
function singleRequest(request: LoadRequest): string {
  const lines = [`wrk.method = ${luaString(request.method)}`, `wrk.path = ${luaString(request.path)}`];
  for (const [name, value] of Object.entries(request.headers))
    lines.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`);
  if (request.body !== undefined) lines.push(`wrk.body = ${luaString(request.body)}`);
  return lines.join('\n');
}

/**
 * Many requests: the lines of a file (tab-separated), read at start and sent in turn, each
 * formatted when it is sent (formatting 150,000 up front costs wrk seconds at every start).
 */
function rotatingRequests(file: string): string {
  return `
local lines = {}
local next_index = 0
function init(args)
  next_index = tonumber(args[1]) or 0
  for line in io.lines(${luaString(file)}) do table.insert(lines, line) end
end
function request()
  next_index = next_index % #lines + 1
  local fields = {}
  for field in string.gmatch(lines[next_index], "[^\\t]+") do table.insert(fields, field) end
  local headers = {}
  for i = 3, #fields, 2 do headers[fields[i]] = fields[i + 1] end
  return wrk.format(fields[1], fields[2], headers)
end`;
}

/** Counts answers by status per thread; done() merges them and prints one JSON line with the percentiles. */
const COUNT_AND_REPORT = `
local threads = {}
function setup(thread) table.insert(threads, thread) end
statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do merged[status] = (merged[status] or 0) + count end
  end
  local parts = {}
  for status, count in pairs(merged) do table.insert(parts, string.format('"%d":%d', status, count)) end
  local e = summary.errors
  io.write(string.format('${MARKER}{"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"errors":%d,"statuses":{%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, table.concat(parts, ",")))
end`;

function serialiseRequest(request: LoadRequest): string {
  if (request.body !== undefined) throw new Error('wrk: rotating requests carry no body');
  const fields = [request.method, request.path, ...Object.entries(request.headers).flat()];
  if (fields.some((field) => field === '' || /[\t\n]/.test(field)))
    throw new Error('wrk: a rotating request field is empty or holds a tab');
  return fields.join('\t');
}

/** wrk: a C load generator with one thread, so nearly all of the CPU is left to the server. */
export class WrkGenerator implements LoadGenerator {
  readonly name: string;

  private constructor(version: string) {
    this.name = version;
  }

  static create(): WrkGenerator {
    const output = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
    const version = /^wrk\s+(\S+)/m.exec(`${output.stdout}${output.stderr}`)?.[1] ?? 'unknown';
    return new WrkGenerator(`wrk ${version}`);
  }

  async run(spec: LoadSpec): Promise<LoadResult> {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-wrk-'));
    try {
      const [first] = spec.requests;
      if (first === undefined) throw new Error('wrk: no request to send');
      let script: string;
      if (spec.requests.length === 1) script = singleRequest(first);
      else {
        const file = join(dir, 'requests.tsv');
        writeFileSync(file, `${spec.requests.map(serialiseRequest).join('\n')}\n`);
        script = rotatingRequests(file);
      }
      const scriptArgs = spec.startAt === undefined ? [] : ['--', String(spec.startAt)];
      const scriptFile = join(dir, 'script.lua');
      writeFileSync(scriptFile, `${script}\n${COUNT_AND_REPORT}\n`);
      const seconds = Math.max(1, Math.round(spec.seconds));
      const args = [
        '-t1',
        `-c${spec.connections}`,
        `-d${seconds}s`,
        '--timeout',
        '10s',
        '-s',
        scriptFile,
        `${spec.baseUrl}${first.path}`,
        ...scriptArgs,
      ];
      const stdout = await runWrk(args);
      const line = stdout.split('\n').find((text) => text.startsWith(MARKER));
      if (line === undefined) throw new Error(`wrk printed no result:\n${stdout}`);
      const raw = JSON.parse(line.slice(MARKER.length)) as {
        requests: number;
        durationUs: number;
        p50Us: number;
        p99Us: number;
        errors: number;
        statuses: Record<string, number>;
      };
      const elapsed = raw.durationUs / 1e6;
      return {
        requests: raw.requests,
        seconds: elapsed,
        requestsPerSecond: raw.requests / elapsed,
        p50Ms: raw.p50Us / 1000,
        p99Ms: raw.p99Us / 1000,
        statuses: raw.statuses,
        errors: raw.errors,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function runWrk(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`wrk exited with ${code}: ${stderr}${stdout}`)),
    );
  });
}
