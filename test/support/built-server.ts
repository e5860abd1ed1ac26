import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';

/** One JSON log line of the service: pino's fields and the message's own. */
export type LogLine = Record<string, unknown>;

export const builtEntry = join(projectRoot, 'dist', 'src', 'server.js');
export const builtCli = join(projectRoot, 'dist', 'src', 'cli', 'main.js');

export interface BuiltRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr as they came, interleaved. */
  output: string;
}

export interface BuiltRunOptions {
  /** Only PATH is inherited: the run sees this environment and nothing of the test's. */
  env?: Record<string, string | undefined>;
  /** Where it runs (a `.env` is looked for here); the project root by default. */
  cwd?: string;
  /** Written to stdin, which is then closed. */
  stdin?: string;
  /** Sends SIGTERM once the output so far matches (a server that started, say). */
  until?: RegExp | undefined;
  /** Killed outright past this, so a hung child fails its test instead of the whole run. */
  timeoutMs?: number;
}

/** Runs a built entry point (npm test builds first; `npm start`/`npm run cli` run the same files) to its exit. */
export function runBuilt(entry: string, args: string[], options: BuiltRunOptions = {}): Promise<BuiltRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      cwd: options.cwd ?? projectRoot,
      env: { PATH: process.env.PATH ?? '', ...options.env },
    });
    const run: BuiltRun = { code: null, stdout: '', stderr: '', output: '' };
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      run[stream] += String(chunk);
      run.output += String(chunk);
      if (options.until?.test(run.output)) child.kill('SIGTERM');
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ...run, code });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** The built service (npm test builds it first) running in a child process, with its log lines parsed. */
export interface BuiltServer {
  child: ChildProcess;
  url: string;
  /** Every JSON log line so far. */
  lines: Array<LogLine>;
  /** Resolves with the first log line (past or future) that matches. */
  waitFor(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<number | null>;
  /** Kills the child if it is still running and removes its data directory. */
  cleanup(): Promise<void>;
}

/** A temporary directory for a SQLite file that several processes open. */
export function tempDataDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startBuiltServer(env: Record<string, string>, listeners = 1): Promise<BuiltServer> {
  const data = tempDataDir();
  const child = spawn(process.execPath, [builtEntry], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: `sqlite:${join(data.dir, 'gatehouse.db')}`,
      PORT: '0',
      LOG_LEVEL: 'info',
      BCRYPT_COST: '4',
      ...env,
    },
  });
  const lines: Array<LogLine> = [];
  const waiters: Array<{
    match: (line: LogLine) => boolean;
    resolve: (line: LogLine) => void;
  }> = [];
  let buffered = '';
  let raw = '';
  const take = (chunk: Buffer): void => {
    raw += chunk.toString();
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) {
      let line: LogLine;
      try {
        line = JSON.parse(part);
      } catch {
        continue;
      }
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.match(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const waitFor: BuiltServer['waitFor'] = (match, timeoutMs = 60_000) => {
    const seen = lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no such log line in time; output:\n${raw.slice(-3000)}`)),
        timeoutMs,
      );
      waiters.push({
        match,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  };

  const listening = await Promise.race([
    (async () => {
      for (let i = 0; i < listeners; i += 1) {
        await waitFor(
          (line) => line.msg === 'gatehouse is listening' && lines.filter((l) => l.msg === line.msg).length > i,
        );
      }
      return lines.find((line) => line.msg === 'gatehouse is listening');
    })(),
    exited.then((code) => {
      throw new Error(`the server exited with ${code} before listening:\n${raw}`);
    }),
  ]);
  return {
    child,
    url: String(listening?.url),
    lines,
    waitFor,
    exited,
    async cleanup() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      data.remove();
    },
  };
}

/** The pid of the process that served the request with this X-Request-Id, from its request log line. */
export async function servedBy(server: BuiltServer, requestId: string): Promise<number> {
  const line = await server.waitFor((l) => (l.req as { id?: string } | undefined)?.id === requestId, 5_000);
  return Number(line.pid);
}
