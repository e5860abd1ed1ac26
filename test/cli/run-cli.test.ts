import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/crypto/tokens.js';
import { type CliHarness, openCliHarness } from './cli-harness.js';

const PASSWORD = 'correct horse battery staple';

let harness: CliHarness;
beforeEach(async () => {
  harness = await openCliHarness();
});
afterEach(() => harness.close());

const cli: CliHarness['cli'] = (...args) => harness.cli(...args);
const cliEvents: CliHarness['cliEvents'] = () => harness.cliEvents();

describe('cli: help and usage', () => {
  it('--help lists every command and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const command of [
      'migrate',
      'user create',
      'user set-password',
      'user disable',
      'user reset-second-factors',
      'key create',
      'key revoke',
      'key list',
    ]) {
      expect(run.out.join('\n')).toContain(command);
    }
  });

  it('a command with --help shows its usage and does nothing', async () => {
    const run = await cli(['user', 'create', 'carol', '--help']);
    expect([run.code, run.out[0]]).toEqual([
      0,
      'Usage: npm run cli -- user create <username> [--role user|admin]\n\nCreate a user; the password is read from standard input or a prompt.',
    ]);
    expect(await harness.store.users.findByUsername('carol')).toBeUndefined();
  });

  it.each([
    ['no command', [], 2],
    ['an unknown command', ['user', 'frobnicate'], 2],
    ['a missing argument', ['user', 'create'], 2],
    ['an extra argument', ['user', 'disable', 'john', 'bob'], 2],
    ['an unknown option', ['user', 'create', 'carol', '--admin'], 2],
  ])('exit 2 for %s, with one line on stderr', async (_name, argv, code) => {
    const run = await cli(argv);
    expect(run.code).toBe(code);
    if (argv.length > 0) expect(run.err).toHaveLength(1);
    expect(run.err.every((line) => line.startsWith('gatehouse: '))).toBe(true);
  });

  it('migrate reports that the schema is up to date', async () => {
    expect(await cli(['migrate'])).toMatchObject({ code: 0, out: ['The database schema is up to date'] });
  });
});

describe('cli: user create', () => {
  it('creates a user with the password from stdin and audits it as the CLI', async () => {
    const run = await cli(['user', 'create', 'carol', '--role', 'admin'], [PASSWORD]);
    expect(run.code).toBe(0);
    expect(run.out[0]).toMatch(/^Created admin carol \(usr_\w+\)$/);
    const carol = await harness.store.users.findByUsername('carol');
    expect(carol?.role).toBe('admin');
    expect(await harness.hasher.verify(PASSWORD, carol?.password_hash)).toBe(true);
    expect((await cliEvents()).map((e) => [e.action, e.subject_id])).toEqual([['user.created', carol?.id]]);
  });

  it('makes a plain user without --role', async () => {
    await cli(['user', 'create', 'carol'], [PASSWORD]);
    expect((await harness.store.users.findByUsername('carol'))?.role).toBe('user');
  });

  it('refuses a password in the arguments, in every spelling, before anything else', async () => {
    for (const argv of [
      ['user', 'create', 'carol', '--password', PASSWORD],
      ['user', 'create', 'carol', `--password=${PASSWORD}`],
      ['user', 'create', 'carol', '-p', PASSWORD],
    ]) {
      const run = await cli(argv);
      expect(run.code).toBe(2);
      expect(run.err).toEqual([
        'gatehouse: passwords are never taken from arguments: type it at the prompt or pipe it on standard input',
      ]);
    }
    expect(await harness.store.users.findByUsername('carol')).toBeUndefined();
  });

  it.each([
    [
      'a common password',
      ['user', 'create', 'carol'],
      'password123',
      'gatehouse: Password is one of the most common passwords; choose another',
    ],
    [
      'an empty password',
      ['user', 'create', 'carol'],
      '',
      'gatehouse: no password given: type it at the prompt or pipe it on standard input',
    ],
    [
      'a username with a colon',
      ['user', 'create', 'car:ol'],
      PASSWORD,
      'gatehouse: Username must be 1 to 64 characters: letters, digits and . _ - @',
    ],
    ['a taken username', ['user', 'create', 'JOHN'], PASSWORD, 'gatehouse: Username is already taken'],
    [
      'an unknown role',
      ['user', 'create', 'carol', '--role', 'root'],
      PASSWORD,
      'gatehouse: --role must be user or admin (got "root")',
    ],
  ])('fails with one clear line for %s', async (_name, argv, password, message) => {
    const run = await cli(argv, [password]);
    expect(run.code).toBeGreaterThan(0);
    expect(run.err).toEqual([message]);
    expect(await harness.store.users.findByUsername('carol')).toBeUndefined();
  });
});

describe('cli: user set-password and user disable', () => {
  it('set-password changes the password, ends every session and bumps credential_version', async () => {
    const john = await harness.store.users.findByUsername('john');
    const now = harness.clock.now();
    await harness.store.sessions.create({
      id: 'ses_1',
      tokenHash: 't1',
      csrfTokenHash: 'c1',
      userId: john?.id ?? '',
      now,
      expiresAt: new Date(now.getTime() + 3_600_000),
      userAgent: null,
      ip: null,
    });
    const run = await cli(['user', 'set-password', 'john'], [PASSWORD]);
    expect(run).toMatchObject({
      code: 0,
      out: ['Password of john changed; 1 session(s) ended'],
      prompts: ['New password for john: '],
    });
    const after = await harness.store.users.findByUsername('john');
    expect(await harness.hasher.verify(PASSWORD, after?.password_hash)).toBe(true);
    expect(after?.credential_version).toBe((john?.credential_version ?? 0) + 1);
    expect((await harness.store.sessions.findByTokenHash('t1'))?.revoked_at).not.toBeNull();
    expect((await cliEvents()).map((e) => e.action)).toEqual(['password.changed']);
  });

  it('set-password fails for an unknown user without asking for a password', async () => {
    const run = await cli(['user', 'set-password', 'nobody'], [PASSWORD]);
    expect(run).toMatchObject({ code: 1, err: ['gatehouse: no user named "nobody"'], prompts: [] });
  });

  it('set-password refuses a password the rules refuse, and keeps the old one', async () => {
    const run = await cli(['user', 'set-password', 'john'], ['john-is-my-name']);
    expect(run).toMatchObject({ code: 1, err: ['gatehouse: Password must not contain the username'] });
    expect(
      await harness.hasher.verify('secret123', (await harness.store.users.findByUsername('john'))?.password_hash),
    ).toBe(true);
  });

  it('disable disables the user and revokes all of their API keys', async () => {
    const run = await cli(['user', 'disable', 'john']);
    expect(run.code).toBe(0);
    expect((await harness.store.users.findByUsername('john'))?.disabled).toBe(true);
    for (const key of ['sk_test_123', 'sk_live_456'])
      expect((await harness.store.apiKeys.findByHash(sha256Hex(key)))?.revoked_at).not.toBeNull();
  });

  it('disable refuses to disable the last enabled admin', async () => {
    const run = await cli(['user', 'disable', 'admin']);
    expect(run).toMatchObject({
      code: 1,
      err: ['gatehouse: At least one enabled admin must remain: promote another user first'],
    });
    expect((await harness.store.users.findByUsername('admin'))?.disabled).toBe(false);
  });
});

describe('cli: the database', () => {
  it('exit 1 with one line when the database cannot be opened', async () => {
    const run = await cli(['migrate'], [], {
      openStore: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      },
    });
    expect([run.code, run.err]).toEqual([
      1,
      ['gatehouse: cannot open the database: connect ECONNREFUSED 127.0.0.1:5432'],
    ]);
  });
});
