import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config/config.js';
import { sha256Hex } from '../../src/crypto/tokens.js';
import { type CliHarness, openCliHarness } from './cli-harness.js';

let harness: CliHarness;
beforeEach(async () => {
  harness = await openCliHarness();
});
afterEach(() => harness.close());

const cli: CliHarness['cli'] = (...args) => harness.cli(...args);
const cliEvents: CliHarness['cliEvents'] = () => harness.cliEvents();

describe('cli: keys', () => {
  it('key create prints the key once, alone on stdout, and the key works', async () => {
    const run = await cli([
      'key',
      'create',
      'bob',
      '--name',
      'deploy',
      '--permissions',
      'write,read',
      '--expires-at',
      '2026-06-01T00:00:00Z',
    ]);
    expect(run.code).toBe(0);
    expect(run.out).toHaveLength(1);
    const key = run.out[0] ?? '';
    expect(key).toMatch(/^sk_test_[0-9A-Za-z]{38}$/);
    expect(run.err.join('\n')).not.toContain(key);
    const record = await harness.store.apiKeys.findByHash(sha256Hex(key));
    expect(record).toMatchObject({ name: 'deploy', permissions: 'read,write', expires_at: '2026-06-01T00:00:00.000Z' });
    expect((await cliEvents()).map((e) => [e.action, e.subject_id, e.username])).toEqual([
      ['api_key.created', record?.id, 'bob'],
    ]);
    expect(JSON.stringify(await cliEvents())).not.toContain(key);
  });

  it('key create makes live keys in production', async () => {
    const run = await cli(['key', 'create', 'bob', '--name', 'n', '--permissions', 'read'], [], {
      config: testConfig({ env: 'production' }),
    });
    expect(run.out[0]).toMatch(/^sk_live_/);
  });

  it.each([
    ['no name', ['key', 'create', 'bob', '--permissions', 'read'], 2],
    ['an unknown permission', ['key', 'create', 'bob', '--name', 'n', '--permissions', 'read,admin'], 2],
    [
      'an expiry that is not a date',
      ['key', 'create', 'bob', '--name', 'n', '--permissions', 'read', '--expires-at', 'tomorrow'],
      2,
    ],
    [
      'an expiry in the past',
      ['key', 'create', 'bob', '--name', 'n', '--permissions', 'read', '--expires-at', '2025-01-01'],
      2,
    ],
    ['an unknown user', ['key', 'create', 'nobody', '--name', 'n', '--permissions', 'read'], 1],
  ])('key create fails for %s and makes no key', async (_name, argv, code) => {
    const run = await cli(argv);
    expect(run.code).toBe(code);
    expect(run.err).toHaveLength(1);
    expect(run.out).toEqual([]);
    expect(await harness.store.db.selectFrom('api_keys').selectAll().execute()).toHaveLength(2);
  });

  it('key create refuses a disabled user', async () => {
    await cli(['user', 'disable', 'bob']);
    expect(await cli(['key', 'create', 'bob', '--name', 'n', '--permissions', 'read'])).toMatchObject({
      code: 1,
      err: ['gatehouse: bob is disabled'],
    });
  });

  it('key create refuses beyond API_KEY_MAX_PER_USER active keys, as the route does', async () => {
    // john holds the two demo keys.
    const capped = { config: testConfig({ apiKeyMaxPerUser: 2 }) };
    const create = ['key', 'create', 'john', '--name', 'third', '--permissions', 'read'];
    expect(await cli(create, [], capped)).toMatchObject({
      code: 1,
      out: [],
      err: ['gatehouse: A user may have at most 2 active API keys; revoke one first'],
    });
    expect(await harness.store.db.selectFrom('api_keys').selectAll().execute()).toHaveLength(2);
    const john = await harness.store.users.findByUsername('john');
    const [newest] = await harness.store.apiKeys.listForUser(john?.id ?? '');
    await cli(['key', 'revoke', newest?.id ?? ''], [], capped);
    expect((await cli(create, [], capped)).code).toBe(0);
  });

  it('key list shows prefixes and states, never a key or a hash', async () => {
    const john = await harness.store.users.findByUsername('john');
    const [first] = await harness.store.apiKeys.listForUser(john?.id ?? '');
    await harness.store.apiKeys.revoke(first?.id ?? '', harness.clock.now());
    const run = await cli(['key', 'list', 'john']);
    expect(run.code).toBe(0);
    expect(run.out[0]).toBe('id\tprefix\tname\tpermissions\tstatus\tcreated_at\texpires_at\tlast_used_at');
    expect(run.out).toHaveLength(3);
    expect(
      run.out
        .slice(1)
        .map((line) => line.split('\t')[4])
        .sort(),
    ).toEqual(['active', 'revoked']);
    const text = run.out.join('\n');
    for (const secret of ['sk_test_123', 'sk_live_456', sha256Hex('sk_test_123')]) expect(text).not.toContain(secret);
    expect((await cli(['key', 'list', 'bob'])).out).toEqual(['bob has no API keys']);
  });

  it('key revoke revokes once, then says there is no such active key', async () => {
    const john = await harness.store.users.findByUsername('john');
    const [key] = await harness.store.apiKeys.listForUser(john?.id ?? '');
    expect(await cli(['key', 'revoke', key?.id ?? ''])).toMatchObject({ code: 0, out: [`Revoked API key ${key?.id}`] });
    expect((await harness.store.apiKeys.findByHash(key?.key_hash ?? ''))?.revoked_at).not.toBeNull();
    expect(await cli(['key', 'revoke', key?.id ?? ''])).toMatchObject({
      code: 1,
      err: [`gatehouse: no active API key with id "${key?.id}"`],
    });
    expect((await cliEvents()).map((e) => [e.action, e.subject_id])).toEqual([['api_key.revoked', key?.id]]);
  });
});
