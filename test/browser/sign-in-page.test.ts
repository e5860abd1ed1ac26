import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAccessibilityViolations } from '../support/axe.js';
import { announceBrowserSkip, chromiumInstalled, launchChromium } from '../support/browser.js';
import { cookiesFrom, startTestApp, type TestApp } from '../support/test-app.js';

announceBrowserSkip();

/** A page on another site (localhost is not 127.0.0.1) that tries to use the service's cookie. */
function attackerSite(target: string): Server {
  return createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<script>
      window.results = (async () => {
        const read = await fetch('${target}/dashboard', { credentials: 'include' }).then(() => 'read', (e) => 'blocked: ' + e.name);
        await fetch('${target}/api-keys', { method: 'POST', mode: 'no-cors', credentials: 'include',
          headers: { 'content-type': 'text/plain' }, body: '{"name":"stolen","permissions":["write"]}' }).catch(() => undefined);
        return { read };
      })();
    </script>`);
  }).listen(0, '127.0.0.1');
}

describe.runIf(chromiumInstalled)('the sign-in page in a real browser', () => {
  let app: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let attacker: Server;

  beforeAll(async () => {
    app = await startTestApp();
    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
    attacker = attackerSite(app.url);
    await new Promise((resolve) => attacker.once('listening', resolve));
  });
  afterAll(async () => {
    attacker?.close();
    await browser?.close();
    await app?.close();
  });

  it('signs in and greets the user', async () => {
    await page.goto(`${app.url}/`);
    await page.locator('#sign-in').getByLabel('Username').fill('alice');
    await page.locator('#sign-in').getByLabel('Password').fill('password123');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.locator('#greeting').textContent()).toBe('Welcome to your dashboard, alice!');
  });

  it('keeps the session cookie out of reach of page script', async () => {
    const cookies = await context.cookies(app.url);
    expect(cookies.find((c) => c.name === 'gatehouse_session')?.httpOnly).toBe(true);
    expect(await page.evaluate('document.cookie')).not.toContain('gatehouse_session');
  });

  it('creates an API key, shows its secret once, and revokes it', async () => {
    await page.getByLabel('Name', { exact: true }).fill('from the browser');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = page.locator('#secret');
    await expect.poll(() => secret.textContent()).toMatch(/^sk_test_[0-9A-Za-z]{38}$/);
    const key = (await secret.textContent()) ?? '';
    expect((await app.call('GET', '/apikey/data', { headers: { 'x-api-key': key } })).status).toBe(200);
    expect(await page.locator('#keys').textContent()).not.toContain(key);

    await page.locator('#keys tr', { hasText: 'from the browser' }).getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => page.locator('#keys tr', { hasText: 'from the browser' }).count()).toBe(0);
    expect((await app.call('GET', '/apikey/data', { headers: { 'x-api-key': key } })).status).toBe(401);
  });

  it('10 minutes after signing in, asks for the password before minting a key, then mints it', async () => {
    app.clock.advanceMinutes(11);
    const confirmForm = page.locator('#confirm-password');
    expect(await confirmForm.isVisible()).toBe(false);
    await page.getByLabel('Name', { exact: true }).fill('after a while');
    await page.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => confirmForm.isVisible()).toBe(true);
    expect(await page.locator('#keys tr', { hasText: 'after a while' }).count()).toBe(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await confirmForm.getByLabel('Password').fill('not-the-password');
    await confirmForm.getByRole('button', { name: 'Confirm password' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('That password is not correct.');
    expect(await confirmForm.isVisible()).toBe(true);

    await confirmForm.getByLabel('Password').fill('password123');
    await confirmForm.getByRole('button', { name: 'Confirm password' }).click();
    await expect.poll(() => page.locator('#keys tr', { hasText: 'after a while' }).count()).toBe(1);
    expect(await confirmForm.isVisible()).toBe(false);
    const key = (await page.locator('#secret').textContent()) ?? '';
    expect((await app.call('GET', '/apikey/data', { headers: { 'x-api-key': key } })).status).toBe(200);
  });

  it('lists sessions and ends another one', async () => {
    const elsewhere = cookiesFrom(
      await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } }),
    );
    await page.reload();
    await expect.poll(() => page.locator('#sessions tr').count()).toBe(2);
    await page.locator('#sessions tr', { hasNotText: 'this browser' }).getByRole('button', { name: 'End' }).click();
    await expect.poll(() => page.locator('#sessions tr').count()).toBe(1);
    expect((await app.call('GET', '/dashboard', { headers: { cookie: elsewhere } })).status).toBe(401);
  });

  it('a page on another site can neither read with the cookie nor act with it', async () => {
    const keysBefore = await app.store.db.selectFrom('api_keys').select('id').execute();
    const logsBefore = app.logs.length;
    const other = await context.newPage();
    await other.goto(`http://localhost:${(attacker.address() as AddressInfo).port}/`);
    const results = (await other.evaluate('window.results')) as { read: string };
    expect(results.read).toMatch(/^blocked/);
    const keysAfter = await app.store.db.selectFrom('api_keys').select('id').execute();
    expect(keysAfter).toHaveLength(keysBefore.length);
    // SameSite=Lax: both cross-site requests reached the service without the cookie, so unauthenticated.
    const crossSite = app.logs
      .slice(logsBefore)
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.req !== undefined);
    expect(crossSite.map((entry) => [entry.req.method, entry.req.path, entry.res.status, entry.principal])).toEqual(
      expect.arrayContaining([
        ['GET', '/dashboard', 401, undefined],
        ['POST', '/api-keys', 401, undefined],
      ]),
    );
    await other.close();
  });

  it('changes the password and, when asked, revokes every API key with it', async () => {
    const minted = await app.call('POST', '/api-keys', {
      headers: { authorization: `Basic ${Buffer.from('alice:password123').toString('base64')}` },
      body: { name: 'minted elsewhere', permissions: ['read'] },
    });
    const key = (minted.json as { key: string }).key;
    await page.reload();
    await expect.poll(() => page.locator('#keys tr', { hasText: 'minted elsewhere' }).count()).toBe(1);
    const form = page.locator('#change-password');
    await form.getByLabel('Current password').fill('password123');
    await form.getByLabel('New password').fill('a brand new passphrase');
    await form.getByLabel('Also revoke all my API keys').check();
    await form.getByRole('button', { name: 'Change password' }).click();
    await expect
      .poll(() => page.locator('#status').textContent())
      .toBe('Password changed; your other sessions are signed out and your API keys revoked.');
    await expect.poll(() => page.locator('#keys tr').count()).toBe(0);
    expect((await app.call('GET', '/apikey/data', { headers: { 'x-api-key': key } })).status).toBe(401);
    expect(await page.locator('#greeting').textContent()).toBe('Welcome to your dashboard, alice!');
  });

  it('signs out, and the cookie it had is dead', async () => {
    const [cookie] = (await context.cookies(app.url)).filter((c) => c.name.startsWith('gatehouse_session'));
    const copy = (await context.cookies(app.url)).map((c) => `${c.name}=${c.value}`).join('; ');
    expect(cookie).toBeDefined();
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await expect.poll(() => page.locator('#sign-in').isVisible()).toBe(true);
    expect((await app.call('GET', '/dashboard', { headers: { cookie: copy } })).status).toBe(401);
  });
});
