import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltRun, builtCli, runBuilt } from '../support/built-server.js';

let dir: string;

/** Runs the built CLI as `npm run cli` would, with `stdin` piped in (npm test builds it first). */
function run(args: string[], stdin = '', env: Record<string, string> = {}): Promise<BuiltRun> {
  return runBuilt(builtCli, args, {
    cwd: dir,
    stdin,
    env: { NODE_ENV: 'test', DATABASE_URL: `sqlite:${join(dir, 'gatehouse.db')}`, BCRYPT_COST: '4', ...env },
  });
}

describe('the built CLI entry', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates, creates an admin from stdin, mints a key and fails cleanly, with exit codes', async () => {
    expect(await run(['migrate'])).toMatchObject({
      code: 0,
      stdout:
        'Applied migrations: 0001_users_keys_sessions, 0002_audit_events, 0003_session_reauthenticated_at, 0004_second_factor, 0005_passkeys\n',
    });
    expect((await run(['user', 'create', 'root', '--role', 'admin'], 'correct horse battery staple\n')).code).toBe(0);
    const key = await run(['key', 'create', 'root', '--name', 'ci', '--permissions', 'read']);
    expect(key.code).toBe(0);
    expect(key.stdout).toMatch(/^sk_test_[0-9A-Za-z]{38}\n$/);
    expect(await run(['user', 'disable', 'root'])).toMatchObject({
      code: 1,
      stderr: 'gatehouse: At least one enabled admin must remain: promote another user first\n',
    });
    expect(await run(['user', 'create', 'x', '--password', 'y'])).toMatchObject({ code: 2, stdout: '' });
    expect((await run(['--help'])).stdout).toContain('key create <username>');
  }, 30_000);

  it('exits 1 with one line for a bad configuration', async () => {
    const result = await run(['migrate'], '', { DATABASE_URL: 'mysql://nope' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^gatehouse: configuration: DATABASE_URL must start with sqlite: or postgres:\/\//);
  });
});
