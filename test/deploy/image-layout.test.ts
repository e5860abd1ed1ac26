import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import {
  buildAndRuntime,
  COMPOSE_SECRETS,
  envOf,
  execForm,
  instructions,
  interpolate,
  parseCopy,
  readCompose,
  readDockerfile,
} from './deploy-files.js';

const { build, runtime } = buildAndRuntime(readDockerfile());

/** The runtime stage's file system, laid out from this (built) checkout as its COPY lines say. */
function layOutRuntimeStage(into: string): void {
  const buildDir = instructions(build, 'WORKDIR').at(-1) ?? '/';
  const workdir = instructions(runtime, 'WORKDIR').at(-1) ?? '/';
  for (const args of instructions(runtime, 'COPY')) {
    const { from, sources, destination } = parseCopy(args);
    const destinationDir = posix.resolve(workdir, destination);
    for (const source of sources) {
      const checkout =
        from === undefined
          ? join(projectRoot, source)
          : join(projectRoot, posix.relative(buildDir, posix.resolve(buildDir, source)));
      const intoDir = sources.length > 1 || destination.endsWith('/');
      const target = join(
        into,
        posix.relative(workdir, intoDir ? posix.join(destinationDir, basename(source)) : destinationDir),
      );
      mkdirSync(dirname(target), { recursive: true });
      // The build stage prunes dev dependencies; the checkout's full set is a superset that works alike.
      if (basename(source) === 'node_modules') symlinkSync(checkout, target, 'dir');
      else cpSync(checkout, target, { recursive: true });
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A GET on a fresh connection that closes after it, so no idle keep-alive holds up the stop. */
function statusOf(url: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject);
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

/**
 * No container daemon here: the runtime stage is laid out in a folder and started with the
 * image's CMD, ENV and compose's environment (its store a SQLite file here, its Redis this
 * machine's when the suite has one), and the image's HEALTHCHECK is run against it.
 */
// Starting processes is slow on a busy machine: generous timeouts.
describe('the image, as the Dockerfile lays it out and starts it (npm test builds first)', { timeout: 60_000 }, () => {
  let dir: string;
  let server: ChildProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-image-'));
    layOutRuntimeStage(join(dir, 'app'));
    const composed = readCompose().services['gatehouse-1']?.environment ?? {};
    env = Object.fromEntries(
      Object.entries(composed).map(([key, value]) => [key, interpolate(String(value), COMPOSE_SECRETS)]),
    );
    env = { ...envOf(runtime), ...env, PORT: String(await freePort()) };
    // A store of its own in the laid-out folder; PostgreSQL itself is proven by the storage suites.
    env.DATABASE_URL = 'sqlite:./data/gatehouse.db';
    if (process.env.TEST_REDIS_URL === undefined) delete env.REDIS_URL;
    else env.REDIS_URL = process.env.TEST_REDIS_URL;

    const [command, ...args] = execForm(instructions(runtime, 'CMD')[0] ?? '');
    expect(command).toBe('node');
    server = spawn(process.execPath, args, { cwd: join(dir, 'app'), env: { PATH: process.env.PATH ?? '', ...env } });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not listening after 60 s:\n${output}`)), 60_000);
      const collect = (chunk: Buffer): void => {
        output += String(chunk);
        if (output.includes('gatehouse is listening')) {
          clearTimeout(timer);
          resolve();
        }
      };
      server.stdout?.on('data', collect);
      server.stderr?.on('data', collect);
      server.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
    });
  }, 90_000);

  afterAll(async () => {
    if (server.exitCode === null) server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  function healthcheck(port: string): Promise<number | null> {
    const [command, ...args] = execForm(instructions(runtime, 'HEALTHCHECK')[0] ?? '');
    expect(command).toBe('node');
    return exitOf(
      spawn(process.execPath, args, {
        cwd: join(dir, 'app'),
        env: { PATH: process.env.PATH ?? '', ...env, PORT: port },
      }),
    );
  }

  it('passes its HEALTHCHECK, which fails when nothing answers', async () => {
    expect(await healthcheck(env.PORT ?? '')).toBe(0);
    expect(await healthcheck(String(await freePort()))).toBe(1);
  });

  it('serves the sign-in page, the docs and the contract from the files it copies', async () => {
    for (const path of ['/', '/docs', '/openapi.json']) {
      expect(await statusOf(`http://127.0.0.1:${env.PORT}${path}`), path).toBe(200);
    }
  });

  it('stops on SIGTERM (what docker stop sends) with exit code 0', async () => {
    const exited = exitOf(server);
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
