import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAccessibilityViolations } from '../support/axe.js';
import { announceBrowserSkip, chromiumInstalled, launchChromium } from '../support/browser.js';
import { totpCode } from '../support/second-factor.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

announceBrowserSkip();

/**
 * TOTP in a real browser: turn it on from the page, sign out, sign in with the password and a
 * code computed here as an authenticator app would, then with a recovery code.
 */
describe.runIf(chromiumInstalled)('two-step sign-in on the sign-in page', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let secret = '';
  let recoveryCodes: string[] = [];

  beforeAll(async () => {
    app = await startTestApp();
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function signInWithPassword(): Promise<void> {
    await page.locator('#sign-in').getByLabel('Username').fill('bob');
    await page.locator('#sign-in').getByLabel('Password').fill('securepass');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  async function signOut(): Promise<void> {
    await page.locator('#sign-out').click();
    await expect.poll(() => page.locator('#sign-in').isVisible()).toBe(true);
  }

  it('turns TOTP on: shows the key and its link, takes a code, shows ten recovery codes once', async () => {
    await page.goto(`${app.url}/`);
    await signInWithPassword();
    await expect.poll(() => page.locator('#greeting').textContent()).toBe('Welcome to your dashboard, bob!');
    expect(await page.locator('#totp-status').textContent()).toContain('Off');
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await expect.poll(() => page.locator('#totp-secret').textContent()).toMatch(/^[A-Z2-7]{32}$/);
    secret = (await page.locator('#totp-secret').textContent()) ?? '';
    expect(await page.locator('#totp-uri').textContent()).toContain(`secret=${secret}`);
    await page.locator('#totp-enrol').getByLabel('Code').fill(totpCode(secret, app));
    await page.getByRole('button', { name: 'Turn on', exact: true }).click();
    await expect.poll(() => page.locator('#recovery-codes li').count()).toBe(10);
    recoveryCodes = await page.locator('#recovery-codes li').allTextContents();
    expect(await page.locator('#totp-status').textContent()).toContain('Recovery codes left: 10');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('signs out, then in with the password and a code from the app', async () => {
    await signOut();
    app.clock.advanceSeconds(30);
    await signInWithPassword();
    await expect.poll(() => page.locator('#sign-in-code').isVisible()).toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.locator('#sign-in-code').getByLabel('Code from your authenticator app').fill(totpCode(secret, app));
    await page.getByRole('button', { name: 'Verify' }).click();
    // The greeting of the first sign-in stays in the hidden section: wait for the section itself.
    await expect.poll(() => page.locator('#signed-in').isVisible()).toBe(true);
    await expect.poll(() => page.locator('#totp-status').textContent()).toContain('On');
  });

  it('a wrong code says so and lets the user try again; a recovery code signs in', async () => {
    await signOut();
    await signInWithPassword();
    await expect.poll(() => page.locator('#sign-in-code').isVisible()).toBe(true);
    await page.locator('#sign-in-code').getByLabel('Code from your authenticator app').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('That code is not correct.');
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await page
      .locator('#sign-in-code')
      .getByLabel('Recovery code')
      .fill(recoveryCodes[0] ?? '');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.locator('#signed-in').isVisible()).toBe(true);
    await expect.poll(() => page.locator('#totp-status').textContent()).toContain('Recovery codes left: 9');
  });
});
