import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { testConfig } from '../../src/config/config.js';
import { PasswordHasher } from '../../src/crypto/password-hasher.js';
import { sha256Hex } from '../../src/crypto/tokens.js';
import { PasswordPolicy } from '../../src/passwords/password-policy.js';
import { loadDemoData } from '../../src/store/demo-data.js';
import { type Store, openStore } from '../../src/store/store.js';
import { ManualClock } from '../support/manual-clock.js';

const PASSWORD = 'correct horse battery staple';

let store: Store;
let clock: ManualClock;
const hasher = new PasswordHasher(4);

beforeEach(async () => {
  store = await openStore('sqlite::memory:');
  clock = new ManualClock();
  await loadDemoData(store, hasher, clock, pino({ level: 'silent' }));
});
afterEach(() => store.close());

interface Run {
  code: number;
  out: string[];
  err: string[];
  prompts: string[];
}

/** Runs one command line against the test's store; `stdin` answers password reads in turn. */
async function cli(argv: string[], stdin: string[] = []): Promise<Run> {
  const run: Run = { code: -1, out: [], err: [], prompts: [] };
  const answers = [...stdin];
  run.code = await runCli(
    argv,
    {
      out: (line) => void run.out.push(line),
      err: (line) => void run.err.push(line),
      readPassword: async (prompt) => {
        run.prompts.push(prompt);
        return answers.shift() ?? '';
      },
    },
    {
      config: testConfig(),
      clock,
      logger: pino({ level: 'silent' }),
      passwords: PasswordPolicy.fromFile(),
      // The test owns the store; the CLI's close must leave it open.
      openStore: async () => ({ store, applied: [], close: async () => {} }),
    },
  );
  return run;
}

async function cliEvents() {
  return store.db.selectFrom('audit_events').selectAll().where('actor_scheme', '=', 'cli').execute();
}

describe('cli: help and usage', () => {
  it('--help lists every command and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['migrate', 'user create', 'user set-password', 'user disable', 'key create', 'key revoke', 'key list']) {
      expect(run.out.join('\n')).toContain(command);
    }
  });

  it('a command with --help shows its usage and does nothing', async () => {
    const run = await cli(['user', 'create', 'carol', '--help']);
    expect([run.code, run.out[0]]).toEqual([0, 'Usage: npm run cli -- user create <username> [--role user|admin]\n\nCreate a user; the password is read from standard input or a prompt.']);
    expect(await store.users.findByUsername('carol')).toBeUndefined();
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
    const carol = await store.users.findByUsername('carol');
    expect(carol?.role).toBe('admin');
    expect(await hasher.verify(PASSWORD, carol?.password_hash)).toBe(true);
    expect((await cliEvents()).map((e) => [e.action, e.subject_id])).toEqual([['user.created', carol?.id]]);
  });

  it('makes a plain user without --role', async () => {
    await cli(['user', 'create', 'carol'], [PASSWORD]);
    expect((await store.users.findByUsername('carol'))?.role).toBe('user');
  });

  it('refuses a password in the arguments, in every spelling, before anything else', async () => {
    for (const argv of [['user', 'create', 'carol', '--password', PASSWORD], ['user', 'create', 'carol', `--password=${PASSWORD}`], ['user', 'create', 'carol', '-p', PASSWORD]]) {
      const run = await cli(argv);
      expect(run.code).toBe(2);
      expect(run.err).toEqual(['gatehouse: passwords are never taken from arguments: type it at the prompt or pipe it on standard input']);
    }
    expect(await store.users.findByUsername('carol')).toBeUndefined();
  });

  it.each([
    ['a common password', ['user', 'create', 'carol'], 'password123', 'gatehouse: Password is one of the most common passwords; choose another'],
    ['an empty password', ['user', 'create', 'carol'], '', 'gatehouse: no password given: type it at the prompt or pipe it on standard input'],
    ['a username with a colon', ['user', 'create', 'car:ol'], PASSWORD, 'gatehouse: Username must be 1 to 64 characters: letters, digits and . _ - @'],
    ['a taken username', ['user', 'create', 'JOHN'], PASSWORD, 'gatehouse: Username is already taken'],
    ['an unknown role', ['user', 'create', 'carol', '--role', 'root'], PASSWORD, 'gatehouse: --role must be user or admin (got "root")'],
  ])('fails with one clear line for %s', async (_name, argv, password, message) => {
    const run = await cli(argv, [password]);
    expect(run.code).toBeGreaterThan(0);
    expect(run.err).toEqual([message]);
    expect(await store.users.findByUsername('carol')).toBeUndefined();
  });
});

describe('cli: user set-password and user disable', () => {
  it('set-password changes the password, ends every session and bumps credential_version', async () => {
    const john = await store.users.findByUsername('john');
    const now = clock.now();
    await store.sessions.create({ id: 'ses_1', tokenHash: 't1', csrfTokenHash: 'c1', userId: john?.id ?? '', now, expiresAt: new Date(now.getTime() + 3_600_000), userAgent: null, ip: null });
    const run = await cli(['user', 'set-password', 'john'], [PASSWORD]);
    expect(run).toMatchObject({ code: 0, out: ['Password of john changed; 1 session(s) ended'], prompts: ['New password for john: '] });
    const after = await store.users.findByUsername('john');
    expect(await hasher.verify(PASSWORD, after?.password_hash)).toBe(true);
    expect(after?.credential_version).toBe((john?.credential_version ?? 0) + 1);
    expect((await store.sessions.findByTokenHash('t1'))?.revoked_at).not.toBeNull();
    expect((await cliEvents()).map((e) => e.action)).toEqual(['password.changed']);
  });

  it('set-password fails for an unknown user without asking for a password', async () => {
    const run = await cli(['user', 'set-password', 'nobody'], [PASSWORD]);
    expect(run).toMatchObject({ code: 1, err: ['gatehouse: no user named "nobody"'], prompts: [] });
  });

  it('set-password refuses a password the rules refuse, and keeps the old one', async () => {
    const run = await cli(['user', 'set-password', 'john'], ['john-is-my-name']);
    expect(run).toMatchObject({ code: 1, err: ['gatehouse: Password must not contain the username'] });
    expect(await hasher.verify('secret123', (await store.users.findByUsername('john'))?.password_hash)).toBe(true);
  });

  it('disable disables the user and revokes all of their API keys', async () => {
    const run = await cli(['user', 'disable', 'john']);
    expect(run.code).toBe(0);
    expect((await store.users.findByUsername('john'))?.disabled).toBe(1);
    for (const key of ['sk_test_123', 'sk_live_456']) expect((await store.apiKeys.findByHash(sha256Hex(key)))?.revoked_at).not.toBeNull();
  });

  it('disable refuses to disable the last enabled admin', async () => {
    const run = await cli(['user', 'disable', 'admin']);
    expect(run).toMatchObject({ code: 1, err: ['gatehouse: At least one enabled admin must remain: promote another user first'] });
    expect((await store.users.findByUsername('admin'))?.disabled).toBe(0);
  });
});

describe('cli: keys', () => {
  it('key create prints the key once, alone on stdout, and the key works', async () => {
    const run = await cli(['key', 'create', 'bob', '--name', 'deploy', '--permissions', 'write,read', '--expires-at', '2026-06-01T00:00:00Z']);
    expect(run.code).toBe(0);
    expect(run.out).toHaveLength(1);
    const key = run.out[0] ?? '';
    expect(key).toMatch(/^sk_test_[0-9A-Za-z]{38}$/);
    expect(run.err.join('\n')).not.toContain(key);
    const record = await store.apiKeys.findByHash(sha256Hex(key));
    expect(record).toMatchObject({ name: 'deploy', permissions: 'read,write', expires_at: '2026-06-01T00:00:00.000Z' });
    expect((await cliEvents()).map((e) => [e.action, e.subject_id, e.username])).toEqual([['api_key.created', record?.id, 'bob']]);
    expect(JSON.stringify(await cliEvents())).not.toContain(key);
  });

  it('key create makes live keys in production', async () => {
    const run = await runCli(['key', 'create', 'bob', '--name', 'n', '--permissions', 'read'], { out: () => {}, err: () => {}, readPassword: async () => '' }, {
      config: testConfig({ env: 'production' }),
      clock,
      logger: pino({ level: 'silent' }),
      passwords: PasswordPolicy.fromFile(),
      openStore: async () => ({ store, applied: [], close: async () => {} }),
    });
    expect(run).toBe(0);
    const keys = await store.apiKeys.listForUser((await store.users.findByUsername('bob'))?.id ?? '');
    expect(keys[0]?.prefix).toMatch(/^sk_live_/);
  });

  it.each([
    ['no name', ['key', 'create', 'bob', '--permissions', 'read'], 2],
    ['an unknown permission', ['key', 'create', 'bob', '--name', 'n', '--permissions', 'read,admin'], 2],
    ['an expiry that is not a date', ['key', 'create', 'bob', '--name', 'n', '--permissions', 'read', '--expires-at', 'tomorrow'], 2],
    ['an expiry in the past', ['key', 'create', 'bob', '--name', 'n', '--permissions', 'read', '--expires-at', '2025-01-01'], 2],
    ['an unknown user', ['key', 'create', 'nobody', '--name', 'n', '--permissions', 'read'], 1],
  ])('key create fails for %s and makes no key', async (_name, argv, code) => {
    const run = await cli(argv);
    expect(run.code).toBe(code);
    expect(run.err).toHaveLength(1);
    expect(run.out).toEqual([]);
    expect(await store.db.selectFrom('api_keys').selectAll().execute()).toHaveLength(2);
  });

  it('key create refuses a disabled user', async () => {
    await cli(['user', 'disable', 'bob']);
    expect(await cli(['key', 'create', 'bob', '--name', 'n', '--permissions', 'read'])).toMatchObject({ code: 1, err: ['gatehouse: bob is disabled'] });
  });

  it('key list shows prefixes and states, never a key or a hash', async () => {
    const john = await store.users.findByUsername('john');
    const [first] = await store.apiKeys.listForUser(john?.id ?? '');
    await store.apiKeys.revoke(first?.id ?? '', clock.now());
    const run = await cli(['key', 'list', 'john']);
    expect(run.code).toBe(0);
    expect(run.out[0]).toBe('id\tprefix\tname\tpermissions\tstatus\tcreated_at\texpires_at\tlast_used_at');
    expect(run.out).toHaveLength(3);
    expect(run.out.slice(1).map((line) => line.split('\t')[4]).sort()).toEqual(['active', 'revoked']);
    const text = run.out.join('\n');
    for (const secret of ['sk_test_123', 'sk_live_456', sha256Hex('sk_test_123')]) expect(text).not.toContain(secret);
    expect((await cli(['key', 'list', 'bob'])).out).toEqual(['bob has no API keys']);
  });

  it('key revoke revokes once, then says there is no such active key', async () => {
    const john = await store.users.findByUsername('john');
    const [key] = await store.apiKeys.listForUser(john?.id ?? '');
    expect(await cli(['key', 'revoke', key?.id ?? ''])).toMatchObject({ code: 0, out: [`Revoked API key ${key?.id}`] });
    expect((await store.apiKeys.findByHash(key?.key_hash ?? ''))?.revoked_at).not.toBeNull();
    expect(await cli(['key', 'revoke', key?.id ?? ''])).toMatchObject({ code: 1, err: [`gatehouse: no active API key with id "${key?.id}"`] });
    expect((await cliEvents()).map((e) => [e.action, e.subject_id])).toEqual([['api_key.revoked', key?.id]]);
  });
});

describe('cli: the database', () => {
  it('exit 1 with one line when the database cannot be opened', async () => {
    const err: string[] = [];
    const code = await runCli(['migrate'], { out: () => {}, err: (line) => void err.push(line), readPassword: async () => '' }, {
      config: testConfig(),
      clock,
      logger: pino({ level: 'silent' }),
      passwords: PasswordPolicy.fromFile(),
      openStore: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      },
    });
    expect([code, err]).toEqual([1, ['gatehouse: cannot open the database: connect ECONNREFUSED 127.0.0.1:5432']]);
  });
});
