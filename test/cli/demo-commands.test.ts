import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/crypto/tokens.js';
import { findDemoCredentials } from '../../src/store/demo-credentials.js';
import { type CliHarness, openCliHarness } from './cli-harness.js';

let harness: CliHarness;
beforeEach(async () => {
  harness = await openCliHarness();
});
afterEach(() => harness.close());

async function usernames(): Promise<string[]> {
  const rows = await harness.store.db.selectFrom('users').select('username').orderBy('username').execute();
  return rows.map((row) => row.username);
}

describe('cli: demo remove', () => {
  it('deletes the demo keys and the demo users, audited, and says no admin is left', async () => {
    const run = await harness.cli(['demo', 'remove']);
    expect(run.code).toBe(0);
    expect(run.out).toEqual(['Removed 4 demo user(s) (john, admin, alice, bob) and 2 demo API key(s)']);
    expect(run.err).toEqual([expect.stringContaining('user create <username> --role admin')]);
    expect(await usernames()).toEqual([]);
    for (const key of ['sk_test_123', 'sk_live_456'])
      expect(await harness.store.apiKeys.findByHash(sha256Hex(key))).toBeUndefined();
    const events = (await harness.cliEvents()).map((e) => [e.action, e.username]);
    expect(events.filter(([action]) => action === 'api_key.deleted')).toHaveLength(2);
    expect(events.filter(([action]) => action === 'user.deleted').map(([, name]) => name)).toEqual([
      'john',
      'admin',
      'alice',
      'bob',
    ]);
  });

  it('keeps a demo user whose password was changed, but still deletes their demo keys', async () => {
    await harness.cli(['user', 'set-password', 'john'], ['a-real-passphrase-nobody-knows']);
    const run = await harness.cli(['demo', 'remove']);
    expect(run.out).toEqual(['Removed 3 demo user(s) (admin, alice, bob) and 2 demo API key(s)']);
    expect(await usernames()).toEqual(['john']);
    const john = await harness.store.users.findByUsername('john');
    expect(await harness.store.apiKeys.listForUser(john?.id ?? '')).toEqual([]);
    expect(await findDemoCredentials(harness.store, harness.hasher)).toEqual({ users: [], keys: [] });
  });

  it('does nothing the second time', async () => {
    await harness.cli(['demo', 'remove']);
    expect(await harness.cli(['demo', 'remove'])).toMatchObject({
      code: 0,
      out: ['This store holds no demo credentials'],
    });
  });

  it('leaves real users and their keys alone', async () => {
    expect(
      (await harness.cli(['user', 'create', 'carol', '--role', 'admin'], ['violet-harbour-lantern-42'])).code,
    ).toBe(0);
    expect((await harness.cli(['key', 'create', 'carol', '--name', 'ci', '--permissions', 'read'])).code).toBe(0);
    const run = await harness.cli(['demo', 'remove']);
    expect(run.err).toEqual([]);
    expect(await usernames()).toEqual(['carol']);
    const carol = await harness.store.users.findByUsername('carol');
    expect(await harness.store.apiKeys.listForUser(carol?.id ?? '')).toHaveLength(1);
  });
});

describe('findDemoCredentials', () => {
  it('finds demo users by their demo password and demo keys by hash; a revoked demo key no longer counts', async () => {
    const found = await findDemoCredentials(harness.store, harness.hasher);
    expect(found.users.map((u) => u.username).sort()).toEqual(['admin', 'alice', 'bob', 'john']);
    expect(found.keys).toHaveLength(2);
    await harness.store.apiKeys.revoke(found.keys[0]?.id ?? '', harness.clock.now());
    expect((await findDemoCredentials(harness.store, harness.hasher)).keys).toHaveLength(1);
  });
});
