import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pendingSignIn, signIn, signInWithTotp, totpCode, turnOnTotp } from '../support/second-factor.js';
import { expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf } from '../support/typed-responses.js';

/** Turning TOTP on and off, and replacing the recovery codes, from the account's own session. */
let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(() => app.close());

const enrol = (headers: Record<string, string>) => app.call('POST', '/me/totp', { headers });
const confirm = (headers: Record<string, string>, code: string) =>
  app.call('POST', '/me/totp/confirm', { headers, body: { code } });
const factors = (headers: Record<string, string>) => app.call('GET', '/me/second-factors', { headers });

async function actions(): Promise<string[]> {
  const rows = await app.store.db.selectFrom('audit_events').select('action').orderBy('occurred_at').execute();
  return rows.map((row) => row.action);
}

describe('POST /me/totp and POST /me/totp/confirm', () => {
  it('201 with a base32 secret and its otpauth URI; not on until confirmed; the stored secret is sealed', async () => {
    const session = await signIn(app, 'alice', 'password123');
    const enrolment = bodyOf(await enrol(session), 'enrolMyTotp', 201);
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolment.uri).toMatch(/^otpauth:\/\/totp\/Gatehouse:alice\?/);
    expect(enrolment.uri).toContain(`secret=${enrolment.secret}`);
    expect(bodyOf(await factors(session), 'getMySecondFactors', 200)).toEqual({
      totp: false,
      recovery_codes_remaining: 0,
      passkeys: 0,
    });
    const [row] = await app.store.db.selectFrom('totp_factors').selectAll().execute();
    expect(row?.secret).not.toContain(enrolment.secret);
    expect(row?.confirmed_at).toBeNull();
    // Not on yet: still one step to sign in.
    const login = await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    expect('user' in bodyOf(login, 'login', 200)).toBe(true);
  });

  it('200 with ten recovery codes for a right code; on from now; audited', async () => {
    const session = await signIn(app, 'alice', 'password123');
    const { secret } = bodyOf(await enrol(session), 'enrolMyTotp', 201);
    const codes = bodyOf(await confirm(session, totpCode(secret, app)), 'confirmMyTotp', 200).recovery_codes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[A-Z2-7]{5}-[A-Z2-7]{5}$/);
    expect(bodyOf(await factors(session), 'getMySecondFactors', 200)).toEqual({
      totp: true,
      recovery_codes_remaining: 10,
      passkeys: 0,
    });
    const stored = await app.store.db.selectFrom('recovery_codes').select('code_hash').execute();
    expect(JSON.stringify(stored)).not.toContain(codes[0]?.replace('-', '') ?? 'x');
    expect(await actions()).toEqual(expect.arrayContaining(['totp.enrolment_started', 'totp.enabled']));
  });

  it('starting again before confirming replaces the secret: a code of the old one is refused (422)', async () => {
    const session = await signIn(app, 'alice', 'password123');
    const first = bodyOf(await enrol(session), 'enrolMyTotp', 201);
    const second = bodyOf(await enrol(session), 'enrolMyTotp', 201);
    expect(second.secret).not.toBe(first.secret);
    expectEnvelope(await confirm(session, totpCode(first.secret, app)), 422, 'validation_error');
    expect((await confirm(session, totpCode(second.secret, app))).status).toBe(200);
  });

  it('422 for a wrong code; 409 with nothing to confirm, or when TOTP is already on', async () => {
    const session = await signIn(app, 'alice', 'password123');
    expectEnvelope(await confirm(session, '123456'), 409, 'conflict_error');
    const { secret } = bodyOf(await enrol(session), 'enrolMyTotp', 201);
    const right = totpCode(secret, app);
    const wrong = await confirm(session, right === '000000' ? '111111' : '000000');
    expectEnvelope(wrong, 422, 'validation_error');
    expect((await confirm(session, right)).status).toBe(200);
    expectEnvelope(
      await enrol(session),
      409,
      'conflict_error',
      'TOTP is already on: turn it off first (DELETE /me/totp)',
    );
    expectEnvelope(await confirm(session, totpCode(secret, app, 30)), 409, 'conflict_error');
  });

  it('403 once the session last proved its password more than 10 minutes ago; csrf_error without the token', async () => {
    const session = await signIn(app, 'alice', 'password123');
    expectEnvelope(await enrol({ cookie: session.cookie }), 403, 'csrf_error');
    expectEnvelope(await confirm({ cookie: session.cookie }, '123456'), 403, 'csrf_error');
    app.clock.advanceMinutes(11);
    expectEnvelope(await enrol(session), 403, 'authorization_error');
  });

  it('the code that confirmed cannot sign in afterwards (its step is used up)', async () => {
    const session = await signIn(app, 'alice', 'password123');
    const { secret } = bodyOf(await enrol(session), 'enrolMyTotp', 201);
    const code = totpCode(secret, app);
    await confirm(session, code);
    const headers = await pendingSignIn(app, 'alice', 'password123');
    expectEnvelope(await app.call('POST', '/login/totp', { headers, body: { code } }), 401, 'authentication_error');
  });
  it('ends every other session of the account, keeps this one, and leaves API keys and other users alone', async () => {
    const laptop = await signIn(app, 'john', 'secret123');
    const phone = await signIn(app, 'john', 'secret123');
    const bob = await signIn(app, 'bob', 'securepass');
    const { secret } = bodyOf(await enrol(laptop), 'enrolMyTotp', 201);
    expect((await confirm(laptop, totpCode(secret, app))).status).toBe(200);
    expectEnvelope(await app.call('GET', '/dashboard', { headers: phone }), 401, 'authentication_error');
    expect((await app.call('GET', '/dashboard', { headers: laptop })).status).toBe(200);
    expect((await app.call('GET', '/dashboard', { headers: bob })).status).toBe(200);
    const key = await app.call('GET', '/apikey/data', { headers: { authorization: 'Bearer sk_test_123' } });
    expect(key.status).toBe(200);
    const [event] = await app.store.db
      .selectFrom('audit_events')
      .select('detail')
      .where('action', '=', 'totp.enabled')
      .execute();
    expect(JSON.parse(event?.detail ?? '{}')).toEqual({ sessions_revoked: 1 });
  });
});

describe('DELETE /me/totp', () => {
  it('204 with the password and a code: TOTP off, recovery codes gone, one-step sign-in again; audited', async () => {
    const alice = await turnOnTotp(app, 'alice', 'password123');
    const off = await app.call('DELETE', '/me/totp', {
      headers: alice.session,
      body: { password: 'password123', code: totpCode(alice.secret, app) },
    });
    expect(off.status).toBe(204);
    expect(await app.store.db.selectFrom('recovery_codes').selectAll().execute()).toEqual([]);
    const login = await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } });
    expect('user' in bodyOf(login, 'login', 200)).toBe(true);
    expect(await actions()).toContain('totp.disabled');
  });

  it('204 with a recovery code instead of a code (the device is lost)', async () => {
    const alice = await turnOnTotp(app, 'alice', 'password123');
    const off = await app.call('DELETE', '/me/totp', {
      headers: alice.session,
      body: { password: 'password123', recovery_code: alice.recoveryCodes[3] },
    });
    expect(off.status).toBe(204);
  });

  it('422 for a wrong password or a wrong code, audited; TOTP stays on', async () => {
    const alice = await turnOnTotp(app, 'alice', 'password123');
    const code = totpCode(alice.secret, app);
    const wrongPassword = await app.call('DELETE', '/me/totp', {
      headers: alice.session,
      body: { password: 'not-it', code },
    });
    expectEnvelope(wrongPassword, 422, 'validation_error');
    const wrongCode = await app.call('DELETE', '/me/totp', {
      headers: alice.session,
      body: { password: 'password123', code: code === '000000' ? '111111' : '000000' },
    });
    expectEnvelope(wrongCode, 422, 'validation_error');
    expectEnvelope(
      await app.call('DELETE', '/me/totp', { headers: alice.session, body: { password: 'password123' } }),
      422,
      'validation_error',
    );
    expect(bodyOf(await factors(alice.session), 'getMySecondFactors', 200).totp).toBe(true);
    const failures = await app.store.db
      .selectFrom('audit_events')
      .select('detail')
      .where('action', '=', 'totp.disabled')
      .where('outcome', '=', 'failure')
      .execute();
    expect(failures).toHaveLength(2);
  });

  it('409 when TOTP is not on; 403 csrf_error without the token', async () => {
    const session = await signIn(app, 'bob', 'securepass');
    const body = { password: 'securepass', code: '123456' };
    expectEnvelope(await app.call('DELETE', '/me/totp', { headers: session, body }), 409, 'conflict_error');
    expectEnvelope(
      await app.call('DELETE', '/me/totp', { headers: { cookie: session.cookie }, body }),
      403,
      'csrf_error',
    );
  });

  it('429 once the throttle holds the account, before the password or the code is checked', async () => {
    await app.close();
    app = await startTestApp({ config: { loginMaxFailures: 2 } });
    const alice = await turnOnTotp(app, 'alice', 'password123');
    for (const password of ['guess-1', 'guess-2'])
      await app.call('DELETE', '/me/totp', { headers: alice.session, body: { password, code: '123456' } });
    const held = await app.call('DELETE', '/me/totp', {
      headers: alice.session,
      body: { password: 'password123', code: totpCode(alice.secret, app) },
    });
    expectEnvelope(held, 429, 'rate_limit_error');
  });
});

describe('POST /me/recovery-codes', () => {
  it('200 with ten new codes within 10 minutes of a two-step sign-in; the old codes stop working; audited', async () => {
    const alice = await turnOnTotp(app, 'alice', 'password123');
    const session = await signInWithTotp(app, 'alice', 'password123', alice.secret);
    const fresh = bodyOf(
      await app.call('POST', '/me/recovery-codes', { headers: session }),
      'regenerateMyRecoveryCodes',
      200,
    ).recovery_codes;
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(alice.recoveryCodes[0]);
    const old = await app.call('POST', '/login/totp', {
      headers: await pendingSignIn(app, 'alice', 'password123'),
      body: { recovery_code: alice.recoveryCodes[0] },
    });
    expectEnvelope(old, 401, 'authentication_error');
    expect(await actions()).toContain('recovery_codes.regenerated');
  });

  it('403 when the session has not proved a code within 10 minutes, however recent the password', async () => {
    const alice = await turnOnTotp(app, 'alice', 'password123');
    const session = await signInWithTotp(app, 'alice', 'password123', alice.secret);
    app.clock.advanceMinutes(11);
    const stale = await app.call('POST', '/me/recovery-codes', { headers: session });
    expectEnvelope(stale, 403, 'authorization_error');
    expect(stale.text).toContain('POST /me/session/confirm with password and code');
  });

  it('409 without TOTP', async () => {
    const session = await signIn(app, 'bob', 'securepass');
    expectEnvelope(await app.call('POST', '/me/recovery-codes', { headers: session }), 409, 'conflict_error');
  });
});
