import { afterEach, describe, expect, it } from 'vitest';
import { pendingSignIn, type TotpUser, totpCode, turnOnTotp } from '../support/second-factor.js';
import { expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Guessing codes: a million codes, one right, is a million tries — unless the throttle sees the
 * tries coming. Codes count against the same throttle as passwords, checked before any code is.
 */
const THROTTLED = 'Too many failed attempts, try again later';

let app: TestApp;
let alice: TotpUser;
afterEach(() => app.close());

function guessesExcept(right: string, count: number): string[] {
  const guesses: string[] = [];
  for (let n = 0; guesses.length < count; n++) {
    const guess = String(n).padStart(6, '0');
    if (guess !== right) guesses.push(guess);
  }
  return guesses;
}

const from = (n: number): Record<string, string> => ({ 'x-forwarded-for': `198.51.100.${n}` });

describe('codes under the brute-force throttle', () => {
  it('a burst of guesses is held back with 429 before any is checked; the right code then too, and it is not used up', async () => {
    app = await startTestApp({ config: { loginMaxFailures: 3 } });
    alice = await turnOnTotp(app, 'alice', 'password123');
    const pending = await pendingSignIn(app, 'alice', 'password123');
    const right = totpCode(alice.secret, app);
    const answers = await Promise.all(
      guessesExcept(right, 12).map((code) => app.call('POST', '/login/totp', { headers: pending, body: { code } })),
    );
    const statuses = answers.map((a) => a.status);
    // Past the allowance only one guess at a time goes through (the probe); the rest wait.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(4);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(8);
    const held = await app.call('POST', '/login/totp', { headers: pending, body: { code: right } });
    expectEnvelope(held, 429, 'rate_limit_error', THROTTLED);
    // Held back before verification: the block over, the same code (same step) still works.
    app.clock.advanceSeconds(Number(held.headers['retry-after']));
    const pendingAgain = await pendingSignIn(app, 'alice', 'password123');
    expect(totpCode(alice.secret, app)).toBe(right);
    expect((await app.call('POST', '/login/totp', { headers: pendingAgain, body: { code: right } })).status).toBe(200);
  });

  it('code failures count against the same throttle as passwords: the password is then held back too', async () => {
    app = await startTestApp({ config: { loginMaxFailures: 2 } });
    alice = await turnOnTotp(app, 'alice', 'password123');
    const pending = await pendingSignIn(app, 'alice', 'password123');
    for (const code of guessesExcept(totpCode(alice.secret, app), 2))
      expect((await app.call('POST', '/login/totp', { headers: pending, body: { code } })).status).toBe(401);
    const login = await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    expectEnvelope(login, 429, 'rate_limit_error', THROTTLED);
  });

  it('guesses from many addresses lock the account (ACCOUNT_MAX_FAILURES), the right code included; audited as throttled', async () => {
    app = await startTestApp({ config: { accountMaxFailures: 5, loginMaxFailures: 50, trustProxy: ['loopback'] } });
    alice = await turnOnTotp(app, 'alice', 'password123');
    const pending = await pendingSignIn(app, 'alice', 'password123');
    const right = totpCode(alice.secret, app);
    let n = 0;
    for (const code of guessesExcept(right, 5)) {
      const headers = { ...pending, ...from(100 + n++) };
      expect((await app.call('POST', '/login/totp', { headers, body: { code } })).status).toBe(401);
    }
    const held = await app.call('POST', '/login/totp', {
      headers: { ...pending, ...from(200) },
      body: { code: right },
    });
    expectEnvelope(held, 429, 'rate_limit_error', THROTTLED);
    const failures = await app.store.db
      .selectFrom('audit_events')
      .select('detail')
      .where('action', '=', 'login.failed')
      .execute();
    expect(failures.map((f) => JSON.parse(f.detail ?? '{}'))).toContainEqual({ factor: 'totp', throttled: true });
  });

  it('recovery-code guesses are throttled the same way', async () => {
    app = await startTestApp({ config: { loginMaxFailures: 2 } });
    alice = await turnOnTotp(app, 'alice', 'password123');
    const pending = await pendingSignIn(app, 'alice', 'password123');
    for (const guess of ['AAAAA-AAAAA', 'BBBBB-BBBBB'])
      expect((await app.call('POST', '/login/totp', { headers: pending, body: { recovery_code: guess } })).status).toBe(
        401,
      );
    const held = await app.call('POST', '/login/totp', {
      headers: pending,
      body: { recovery_code: alice.recoveryCodes[0] },
    });
    expectEnvelope(held, 429, 'rate_limit_error', THROTTLED);
  });
});
