import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';

const entry = join(projectRoot, 'dist', 'src', 'server.js');
const cliEntry = join(projectRoot, 'dist', 'src', 'cli', 'main.js');

/** Runs the built entry point (or `command`) with a given environment until it exits or `untilOutput` appears. */
function runServer(
  env: Record<string, string>,
  untilOutput?: RegExp,
  command: string[] = [entry],
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, command, { cwd: projectRoot, env: { PATH: process.env.PATH ?? '', ...env } });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (untilOutput?.test(output)) child.kill('SIGTERM');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('the built service at start (npm test builds it first)', () => {
  it('is built', () => {
    expect(existsSync(entry), `${entry} is missing: run npm run build`).toBe(true);
  });

  it('exits 1 in production without SESSION_KEYS, with one line naming the variable', async () => {
    const { code, output } = await runServer({ NODE_ENV: 'production', DATABASE_URL: 'sqlite::memory:' });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toEqual([
      expect.stringMatching(/^gatehouse: configuration: SESSION_KEYS is required in production/),
    ]);
  });

  it('starts in production with strong keys and loads no demo data', async () => {
    const { output } = await runServer(
      {
        NODE_ENV: 'production',
        DATABASE_URL: 'sqlite::memory:',
        PORT: '0',
        SESSION_KEYS: 'q3J9vX2mL8pR4tY7wZ1cF6hK0nB5sD2gA8eU4iO9',
        BCRYPT_COST: '12',
      },
      /gatehouse is listening/,
    );
    expect(output).toContain('gatehouse is listening');
    expect(output).not.toContain('DEMO DATA');
  });

  it('loads the demo data outside production, and says so loudly', async () => {
    const { output } = await runServer(
      { DATABASE_URL: 'sqlite::memory:', PORT: '0', BCRYPT_COST: '4' },
      /gatehouse is listening/,
    );
    expect(output).toContain('DEMO DATA LOADED');
  });

  it('refuses production on a store a development run seeded, until `demo remove` has run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-demo-'));
    try {
      const store = { DATABASE_URL: `sqlite:${join(dir, 'gatehouse.db')}`, BCRYPT_COST: '4' };
      const production = {
        ...store,
        NODE_ENV: 'production',
        PORT: '0',
        SESSION_KEYS: 'q3J9vX2mL8pR4tY7wZ1cF6hK0nB5sD2gA8eU4iO9',
        BCRYPT_COST: '12',
      };
      const seeded = await runServer({ ...store, PORT: '0' }, /gatehouse is listening/);
      expect(seeded.output).toContain('DEMO DATA LOADED');

      const refused = await runServer(production, /gatehouse is listening/);
      expect(refused.code).toBe(1);
      expect(refused.output).not.toContain('gatehouse is listening');
      // The log's warnings go to stdout; the refusal is the one plain line on stderr.
      expect(refused.output.split('\n').filter((line) => line.startsWith('gatehouse:'))).toEqual([
        expect.stringMatching(
          /^gatehouse: the store holds the well-known demo credentials \(users john, admin, alice, bob; 2 demo API key\(s\)\), so production refuses to start: remove them with `npm run cli -- demo remove`/,
        ),
      ]);

      const removed = await runServer({ ...store, NODE_ENV: 'development' }, undefined, [cliEntry, 'demo', 'remove']);
      expect(removed).toMatchObject({ code: 0 });
      expect(removed.output).toContain('Removed 4 demo user(s)');

      const started = await runServer(production, /gatehouse is listening/);
      expect(started.output).toContain('gatehouse is listening');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
