import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { processTree } from './memory.js';

/** What one Gatehouse process is started with; everything else is the service's default. */
export interface GatehouseSettings {
  databaseUrl: string;
  redisUrl?: string | undefined;
  /** WEB_CONCURRENCY; left unset when undefined. */
  workers?: number | undefined;
  bcryptCost?: number;
  /** Signs the session cookies; the soak signs its own cookies with it. */
  sessionKey?: string;
  /** Extra settings (the soak lifts the per-address sign-in limit). */
  env?: Record<string, string>;
  /** Node flags, e.g. --cpu-prof (not allowed in NODE_OPTIONS); cluster workers inherit execArgv. */
  nodeArgs?: string[];
  /** Working directory and home of the log file (a fresh temp dir: no stray .env is read). */
  dir: string;
}

export interface GatehouseProcess {
  pid: number;
  baseUrl: string;
  sessionKey: string;
  logFile: string;
  /** Processes in the tree besides the primary (cluster workers). */
  childCount(): number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Whether a process still runs this script (its id is not yet someone else's). */
function runs(pid: number, script: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(script);
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );
}

/**
 * Starts the real entry point, `node dist/src/server.js`, as production would but outside
 * production (so demo data loads): bcrypt 12, logs at info (one line per request, into a file),
 * the request limit lifted so it is counted on every request without refusing any.
 */
export async function startGatehouse(entry: string, settings: GatehouseSettings): Promise<GatehouseProcess> {
  const port = await freePort();
  const sessionKey = settings.sessionKey ?? randomBytes(32).toString('base64url');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? settings.dir,
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: settings.databaseUrl,
    SESSION_KEYS: sessionKey,
    BCRYPT_COST: String(settings.bcryptCost ?? 12),
    RATE_LIMIT_MAX: '1000000',
    DEMO_DATA: 'on',
    LOG_LEVEL: 'info',
    ...(settings.redisUrl === undefined ? {} : { REDIS_URL: settings.redisUrl }),
    ...(settings.workers === undefined ? {} : { WEB_CONCURRENCY: String(settings.workers) }),
    ...settings.env,
  };
  const logFile = join(settings.dir, 'gatehouse.log');
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...(settings.nodeArgs ?? []), entry], {
    cwd: settings.dir,
    env,
    stdio: ['ignore', log, 'pipe'],
  });
  closeSync(log);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const pid = child.pid;
  if (pid === undefined) throw new Error('gatehouse did not start');

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`gatehouse exited with ${child.exitCode} while starting (log: ${logFile}):\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gatehouse did not answer /healthz within 60 s (log: ${logFile}):\n${stderr}`);
    }
    const status = await fetch(`${baseUrl}/healthz`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    pid,
    baseUrl,
    sessionKey,
    logFile,
    childCount: () => processTree(pid).length - 1,
    async stop() {
      // Remembered before the primary goes: a worker that outlives it is ours to end too.
      const tree = processTree(pid);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited(child);
      clearTimeout(timer);
      for (const member of tree.slice(1)) if (runs(member, entry)) process.kill(member, 'SIGKILL');
    },
  };
}
