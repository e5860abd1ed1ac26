import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/crypto/tokens.js';
import { seriousAccessibilityViolations } from '../support/axe.js';
import { announceBrowserSkip, chromiumInstalled, launchChromium } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

announceBrowserSkip();

describe.runIf(chromiumInstalled)('the admin console in a real browser', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;

  async function signIn(on: Page, username: string, password: string): Promise<void> {
    const form = on.locator('#sign-in');
    await form.getByLabel('Username').fill(username);
    await form.getByLabel('Password').fill(password);
    await form.getByRole('button', { name: 'Sign in', exact: true }).press('Enter');
  }

  const userRow = (username: string) =>
    page.locator('#users tr', { has: page.getByRole('cell', { name: username, exact: true }) });
  const currentHourBar = (outcome: string) => page.locator(`#chart rect[data-outcome="${outcome}"]`).last();

  beforeAll(async () => {
    app = await startTestApp();
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('the signed-out page has no serious or critical accessibility violation', async () => {
    await page.goto(`${app.url}/`);
    await expect.poll(() => page.locator('#sign-in').isVisible()).toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('a user who is not an admin sees their sessions and keys, and no admin console', async () => {
    await signIn(page, 'alice', 'password123');
    await expect.poll(() => page.locator('#greeting').textContent()).toBe('Welcome to your dashboard, alice!');
    await expect.poll(() => page.locator('#sessions tr').count()).toBe(1);
    expect(await page.locator('#admin').isHidden()).toBe(true);
    expect(await page.locator('#users tr').count()).toBe(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect.poll(() => page.locator('#sign-in').isVisible()).toBe(true);
  });

  it('a failed sign-in shows the readable message of the error envelope', async () => {
    await signIn(page, 'admin', 'not-the-password');
    await expect.poll(() => page.locator('#status').textContent()).toBe('Invalid credentials');
  });

  it('an admin sees the console: users, the audit trail and the chart', async () => {
    await signIn(page, 'admin', 'supersecret');
    await expect.poll(() => page.locator('#admin').isVisible()).toBe(true);
    await expect.poll(() => page.locator('#users tr').count()).toBe(4);
    await expect.poll(() => page.locator('#chart rect').count()).toBe(48);
    // The failed and the successful sign-in just made, in the current hour.
    expect(await currentHourBar('failure').getAttribute('data-count')).toBe('1');
    // Events of one instant come in id order; look for the sign-in among them.
    expect(await page.locator('#audit').textContent()).toContain('login.succeeded');
  });

  it('creates a user from the keyboard alone', async () => {
    // Newer than the demo users, so carol's place in the (created_at, id) order is known.
    app.clock.advanceMinutes(1);
    await page.locator('#new-user-name').focus();
    await page.keyboard.type('carol');
    await page.keyboard.press('Tab');
    await page.keyboard.type('correct horse battery staple');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#status').textContent()).toBe('carol is created.');
    await expect.poll(() => userRow('carol').textContent()).toContain('enabled');
    expect((await app.store.users.findByUsername('carol'))?.role).toBe('user');
  });

  it('shows why a user could not be created', async () => {
    await page.getByLabel('Username', { exact: true }).nth(1).fill('carol');
    await page.locator('#new-user-password').fill('another long passphrase');
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('Username is already taken');
    expect(await page.locator('#status').getAttribute('class')).toBe('error');
  });

  it('changes a role', async () => {
    await userRow('carol').getByRole('button', { name: 'Make admin: carol' }).click();
    await expect.poll(() => userRow('carol').locator('td').nth(1).textContent()).toBe('admin');
    await userRow('carol').getByRole('button', { name: 'Make user: carol' }).click();
    await expect.poll(() => userRow('carol').locator('td').nth(1).textContent()).toBe('user');
    expect((await app.store.users.findByUsername('carol'))?.role).toBe('user');
  });

  it('disables a user: their sign-in fails, the trail shows it filtered, and the chart grows', async () => {
    const failuresBefore = Number(await currentHourBar('failure').getAttribute('data-count'));
    const heightBefore = Number(await currentHourBar('failure').getAttribute('height'));
    await userRow('carol').getByRole('button', { name: 'Disable: carol' }).click();
    await expect.poll(() => userRow('carol').textContent()).toContain('disabled');

    const carol = await browser.newPage();
    await carol.goto(`${app.url}/`);
    await signIn(carol, 'carol', 'correct horse battery staple');
    await expect.poll(() => carol.locator('#status').textContent()).toBe('Invalid credentials');
    await carol.close();

    await page.getByLabel('Action').selectOption('user.updated');
    await page.locator('#audit-username').fill('CAROL');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('#audit tr').count()).toBe(3);
    const rows = await page.locator('#audit tr').allTextContents();
    expect(rows.every((row) => row.includes('user.updated') && row.includes('carol'))).toBe(true);

    await page.getByLabel('Action').selectOption('login.failed');
    await page.getByLabel('Outcome').selectOption('failure');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('#audit tr').count()).toBe(1);

    await page.getByRole('button', { name: 'Refresh chart' }).click();
    await expect
      .poll(async () => Number(await currentHourBar('failure').getAttribute('data-count')))
      .toBe(failuresBefore + 1);
    expect(Number(await currentHourBar('failure').getAttribute('height'))).toBeGreaterThanOrEqual(heightBefore);
    expect(await page.locator('#chart-summary').textContent()).toContain(`${failuresBefore + 1} failed`);
  });

  it('after a reload, fetches the CSRF token again and can still act', async () => {
    await page.reload();
    await expect.poll(() => page.locator('#admin').isVisible()).toBe(true);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await userRow('carol').getByRole('button', { name: 'Enable: carol' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('carol is enabled.');
    expect((await app.store.users.findByUsername('carol'))?.disabled).toBe(false);
  });

  it('pages through users with the keyset cursor', async () => {
    for (let i = 0; i < 8; i++) {
      app.clock.advanceMinutes(1);
      await app.store.users.create({
        id: newId('usr'),
        username: `extra${i}`,
        passwordHash: '$2b$04$x',
        role: 'user',
        now: app.clock.now(),
      });
    }
    await page.reload();
    await expect.poll(() => page.locator('#users tr').count()).toBe(10);
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => page.locator('#users tr').count()).toBe(3);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'First page' }).click();
    await expect.poll(() => page.locator('#users tr').first().textContent()).toContain('extra7');
  });

  it('deletes a user after a confirmation', async () => {
    await userRow('carol').getByRole('button', { name: 'Delete: carol' }).click();
    await userRow('carol').getByRole('button', { name: 'Confirm delete: carol' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('carol is deleted.');
    expect(await app.store.users.findByUsername('carol')).toBeUndefined();
  });

  it('the admin console has no serious or critical accessibility violation', async () => {
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('fits a narrow viewport without sideways scrolling of the page', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });
});
