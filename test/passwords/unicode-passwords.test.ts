import bcrypt from 'bcrypt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREHASHED } from '../../src/crypto/password-hasher.js';
import { basic, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';

/** Passwords of any script and length up to 256 characters, compared in NFC, every character counting. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ config: { basicCacheSeconds: 0 } });
});
afterAll(() => app.close());

let serial = 0;
async function userWith(password: string): Promise<string> {
  serial += 1;
  const username = `carol${serial}`;
  const response = await app.call('POST', '/users', {
    headers: basic('admin', 'supersecret'),
    body: { username, password, role: 'user' },
  });
  expect(response.status).toBe(201);
  return username;
}

const login = (username: string, password: string) => app.call('POST', '/login', { body: { username, password } });

describe('passwords in any script and normalisation form', () => {
  it('a password set in NFC signs in when typed in NFD, with /login and Basic', async () => {
    const composed = 'Crème brûlée à la carte'.normalize('NFC');
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const username = await userWith(composed);
    expect((await login(username, decomposed)).status).toBe(200);
    expect((await app.call('GET', '/basic/profile', { headers: basic(username, decomposed) })).status).toBe(200);
  });

  it('a password set in NFD signs in when typed in NFC', async () => {
    const username = await userWith('Ωμέγα και άλφα'.normalize('NFD'));
    expect((await login(username, 'Ωμέγα και άλφα'.normalize('NFC'))).status).toBe(200);
  });

  it('a 42-character Cyrillic password (84 bytes) is accepted, and its last character counts', async () => {
    const password = 'съешь же ещё этих мягких французских булок';
    expect([...password].length).toBe(42);
    expect(Buffer.byteLength(password)).toBeGreaterThan(72);
    const username = await userWith(password);
    expect((await login(username, password)).status).toBe(200);
    expectEnvelope(await login(username, `${password.slice(0, -1)}м`), 401, 'authentication_error');
  });

  it('a 256-character password works, and only in full', async () => {
    const password = `${'долгий пароль '.repeat(18)}конец`.slice(0, 256);
    expect([...password].length).toBe(256);
    const username = await userWith(password);
    expect((await login(username, password)).status).toBe(200);
    expect((await login(username, password.slice(0, 255))).status).toBe(401);
  });

  it('422 for a 257-character password', async () => {
    const response = await app.call('POST', '/users', {
      headers: basic('admin', 'supersecret'),
      body: { username: 'dave', password: 'ж'.repeat(257), role: 'user' },
    });
    expectEnvelope(response, 422, 'validation_error');
  });

  it('new hashes are bcrypt over the pre-hashed password, marked as such', async () => {
    const username = await userWith('a fresh unremarkable passphrase');
    const user = await app.store.users.findByUsername(username);
    expect(user?.password_hash.startsWith(`${PREHASHED}$2b$`)).toBe(true);
  });
});

describe('hashes from before pre-hashing', () => {
  it('an old plain-bcrypt hash still verifies and is upgraded at the next sign-in', async () => {
    const legacy = await bcrypt.hash('password123', app.config.bcryptCost);
    await app.store.db.updateTable('users').set({ password_hash: legacy }).where('username', '=', 'alice').execute();
    expect((await login('alice', 'wrong-password')).status).toBe(401);
    expect((await app.store.users.findByUsername('alice'))?.password_hash).toBe(legacy);
    expect((await login('alice', 'password123')).status).toBe(200);
    const upgraded = (await app.store.users.findByUsername('alice'))?.password_hash ?? '';
    expect(upgraded.startsWith(PREHASHED)).toBe(true);
    expect((await login('alice', 'password123')).status).toBe(200);
  });
});
