import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import { type BuiltRun, builtEntry, runBuilt } from '../support/built-server.js';

let dir: string;

/** Starts the built server in `dir` (where its .env is looked for) and waits for it to exit. */
function start(env: Record<string, string>): Promise<BuiltRun> {
  return runBuilt(builtEntry, [], { cwd: dir, env });
}

describe('settings from a .env file (npm test builds the server first)', { timeout: 60_000 }, () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-env-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads .env from the working directory at start, and the real environment wins over it', async () => {
    // Two refused values in .env: only the one the real environment does not override is reported.
    writeFileSync(join(dir, '.env'), 'PORT=not-a-port\nLOG_LEVEL=shouting\nDATABASE_URL=sqlite::memory:\n');
    const { code, output } = await start({ LOG_LEVEL: 'info' });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toEqual([
      'gatehouse: configuration: PORT must be a whole number from 0 to 65535 (got "not-a-port")',
    ]);
  });

  it('keeps .env out of git', () => {
    expect(readFileSync(join(projectRoot, '.gitignore'), 'utf8').split('\n')).toContain('.env');
  });
});
