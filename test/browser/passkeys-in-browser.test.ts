import { createServer } from 'node:net';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceBrowserSkip, chromiumInstalled, launchChromium } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

announceBrowserSkip();

/** A port nothing listens on now, so the app's WebAuthn origin can name it before it starts. */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Passkeys in Chromium with the DevTools protocol's virtual authenticator (a platform
 * authenticator with resident keys and user verification): registered from a signed-in session,
 * then the only thing used to sign in. WebAuthn needs a secure context and refuses an IP address
 * as RP ID, so the page is opened on http://localhost, the configured RP ID and origin.
 */
describe.runIf(chromiumInstalled)('passkeys on the sign-in page, in a real browser', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let site: string;

  beforeAll(async () => {
    const port = await freePort();
    site = `http://localhost:${port}`;
    app = await startTestApp({
      port,
      config: { webauthn: { rpId: 'localhost', rpName: 'Gatehouse', origins: [site] } },
    });
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('adds a passkey from a signed-in session', async () => {
    await page.goto(`${site}/`);
    await page.locator('#sign-in').getByLabel('Username').fill('alice');
    await page.locator('#sign-in').getByLabel('Password').fill('password123');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.locator('#greeting').textContent()).toBe('Welcome to your dashboard, alice!');

    await page.getByLabel('Passkey name').fill('Virtual laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(() => page.locator('#passkeys tr', { hasText: 'Virtual laptop' }).count()).toBe(1);
    const stored = await app.store.db.selectFrom('passkeys').selectAll().execute();
    expect(stored.map((p) => [p.name, p.transports])).toEqual([['Virtual laptop', 'internal']]);
  });

  it('signs out, then signs in with the passkey alone', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect.poll(() => page.locator('#sign-in').isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    // The greeting stays in the hidden section after signing out: wait for the section itself.
    await expect.poll(() => page.locator('#signed-in').isVisible()).toBe(true);
    expect(await page.locator('#greeting').textContent()).toBe('Welcome to your dashboard, alice!');
    const passkeySignIns = await app.store.db
      .selectFrom('audit_events')
      .select('detail')
      .where('action', '=', 'login.succeeded')
      .where('detail', 'is not', null)
      .execute();
    expect(passkeySignIns.map((e) => JSON.parse(e.detail ?? '{}').method)).toEqual(['passkey']);
    await expect
      .poll(() => page.locator('#passkeys tr', { hasText: 'Virtual laptop' }).textContent())
      .not.toContain('never');
  });

  it('signs out, signs in with the password, then finishes with the passkey as the second step', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect.poll(() => page.locator('#sign-in').isVisible()).toBe(true);
    await page.locator('#sign-in').getByLabel('Username').fill('alice');
    await page.locator('#sign-in').getByLabel('Password').fill('password123');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // A passkey is alice's only second factor: the step offers it, and no code field.
    await expect.poll(() => page.getByRole('button', { name: 'Use a passkey' }).isVisible()).toBe(true);
    expect(await page.locator('#sign-in-code-input').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await expect.poll(() => page.locator('#signed-in').isVisible()).toBe(true);
    expect(await page.locator('#greeting').textContent()).toBe('Welcome to your dashboard, alice!');
    // The clock stands still in tests: the two passkey sign-ins so far, alone and as the second step.
    const withMethod = await app.store.db
      .selectFrom('audit_events')
      .select('detail')
      .where('action', '=', 'login.succeeded')
      .where('detail', 'is not', null)
      .execute();
    expect(withMethod.map((e) => JSON.parse(e.detail ?? '{}').method)).toEqual(['passkey', 'passkey']);
  });

  it('deletes the passkey after confirming with it (sudo mode ran out); it can no longer sign in', async () => {
    app.clock.advanceMinutes(11);
    await page.getByRole('button', { name: 'Delete passkey: Virtual laptop' }).click();
    await page.getByRole('button', { name: 'Confirm with a passkey' }).click();
    await expect.poll(() => page.locator('#passkeys tr').count()).toBe(0);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('Invalid credentials');
    expect(await page.locator('#sign-in').isVisible()).toBe(true);
  });
});
