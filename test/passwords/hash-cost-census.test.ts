import { describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../src/crypto/password-hasher.js';
import { HashCostCensus } from '../../src/passwords/hash-costs.js';
import type { UserRepository } from '../../src/store/users.js';
import { ManualClock } from '../support/manual-clock.js';

/** A store whose census query answers what the test says, counting how often it is asked. */
function countingUsers(answers: Array<Map<number, number> | Error>): { users: UserRepository; asked: () => number } {
  let asked = 0;
  const users = {
    hashCostCounts: async () => {
      const answer = answers[Math.min(asked, answers.length - 1)];
      asked += 1;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  } as unknown as UserRepository;
  return { users, asked: () => asked };
}

describe('the hash-cost census', () => {
  it('counts once, then again only after ten minutes', async () => {
    const clock = new ManualClock();
    const store = countingUsers([new Map([[10, 3]]), new Map([[12, 5]])]);
    const census = new HashCostCensus(store.users, new PasswordHasher(4), clock);
    expect(await census.majorityCost()).toBe(10);
    clock.advanceMinutes(9);
    expect(await census.majorityCost()).toBe(10);
    expect(store.asked()).toBe(1);
    clock.advanceMinutes(1);
    expect(await census.majorityCost()).toBe(12);
    expect(store.asked()).toBe(2);
  });

  it('a failed recount keeps the last count and is not retried by every sign-in', async () => {
    const clock = new ManualClock();
    const store = countingUsers([new Map([[10, 3]]), new Error('store down')]);
    const census = new HashCostCensus(store.users, new PasswordHasher(4), clock);
    await census.majorityCost();
    clock.advanceMinutes(10);
    for (let i = 0; i < 5; i += 1) expect(await census.majorityCost()).toBe(10);
    expect(store.asked()).toBe(2);
  });

  it('without any count yet, a failure reaches the caller (the sign-in answers 503)', async () => {
    const store = countingUsers([new Error('store down')]);
    const census = new HashCostCensus(store.users, new PasswordHasher(4), new ManualClock());
    await expect(census.majorityCost()).rejects.toThrow('store down');
  });
});
