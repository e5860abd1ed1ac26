import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliHarness, openCliHarness } from './cli-harness.js';

let harness: CliHarness;
beforeEach(async () => {
  harness = await openCliHarness();
});
afterEach(() => harness.close());

/** A confirmed TOTP factor and two recovery codes, as POST /me/totp/confirm leaves them. */
async function withTotp(username: string): Promise<string> {
  const user = await harness.store.users.findByUsername(username);
  const id = user?.id ?? '';
  const factors = harness.store.secondFactors;
  await factors.startTotp(id, 'sealed', harness.clock.now());
  await factors.confirmTotp(id, 'sealed', 59_000_000, harness.clock.now());
  await factors.replaceRecoveryCodes(
    id,
    [
      { id: `rcv_1${username}`, codeHash: `h1-${username}` },
      { id: `rcv_2${username}`, codeHash: `h2-${username}` },
    ],
    harness.clock.now(),
  );
  return id;
}

describe('cli: user reset-second-factors', () => {
  it("removes the user's TOTP and recovery codes, audited as the admin route's reset with the CLI as actor", async () => {
    const admin = await withTotp('admin');
    const john = await withTotp('john');
    const run = await harness.cli(['user', 'reset-second-factors', 'admin']);
    expect(run).toMatchObject({
      code: 0,
      err: [],
      out: [
        'Second factors of admin removed (TOTP and recovery codes): the password alone signs them in until they set up a new one',
      ],
    });
    expect(await harness.store.secondFactors.findTotp(admin)).toBeUndefined();
    expect(await harness.store.secondFactors.countUnusedRecoveryCodes(admin)).toBe(0);
    // Nobody else's.
    expect(await harness.store.secondFactors.usersWithTotp([john])).toEqual(new Set([john]));
    const events = await harness.cliEvents();
    expect(events).toEqual([
      expect.objectContaining({ action: 'second_factors.reset', subject_id: admin, username: 'admin' }),
    ]);
    expect(JSON.parse((events[0] as { detail?: string }).detail ?? '{}')).toEqual({ totp: true });
  });

  it('says so when the user has no second factor, and exits 0', async () => {
    expect(await harness.cli(['user', 'reset-second-factors', 'bob'])).toMatchObject({
      code: 0,
      out: ['bob had no second factor; nothing to remove'],
    });
  });

  it('exit 1 for an unknown user, with one clear line and nothing audited', async () => {
    expect(await harness.cli(['user', 'reset-second-factors', 'nobody'])).toMatchObject({
      code: 1,
      out: [],
      err: ['gatehouse: no user named "nobody"'],
    });
    expect(await harness.cliEvents()).toEqual([]);
  });

  it('exit 2 without a username', async () => {
    const run = await harness.cli(['user', 'reset-second-factors']);
    expect(run.code).toBe(2);
    expect(run.err).toEqual(['gatehouse: expected <username>: npm run cli -- user reset-second-factors <username>']);
  });
});
