import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BuiltRun, builtCli, builtEntry, runBuilt } from '../support/built-server.js';

/** Runs the built service (or the CLI, when `args` start with its entry) until it exits or `until` appears. */
function runServer(env: Record<string, string>, until?: RegExp, command: string[] = [builtEntry]): Promise<BuiltRun> {
  const [entry = builtEntry, ...args] = command;
  return runBuilt(entry, args, { env, until, timeoutMs: 15_000 });
}

describe('the built service at start (npm test builds it first)', () => {
  it('is built', () => {
    expect(existsSync(builtEntry), `${builtEntry} is missing: run npm run build`).toBe(true);
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

      const removed = await runServer({ ...store, NODE_ENV: 'development' }, undefined, [builtCli, 'demo', 'remove']);
      expect(removed).toMatchObject({ code: 0 });
      expect(removed.output).toContain('Removed 4 demo user(s)');

      const started = await runServer(production, /gatehouse is listening/);
      expect(started.output).toContain('gatehouse is listening');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
