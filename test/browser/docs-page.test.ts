import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceBrowserSkip, chromiumInstalled, launchChromium } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

announceBrowserSkip();

describe.runIf(chromiumInstalled)('/docs in a real browser', () => {
  let app: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    app = await startTestApp({ demoData: false });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('renders every operation and asks nothing of any other host', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    const consoleErrors: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    const response = await page.goto(`${app.url}/docs`, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(200);

    // Redoc shows one tag at a time: open each from the side menu and look for its operations.
    const contract = (await app.call('GET', '/openapi.json')).json as {
      tags: Array<{ name: string }>;
      paths: Record<string, Record<string, { summary: string; tags: string[] }>>;
    };
    const methods = ['get', 'put', 'post', 'delete', 'patch'];
    const operations = Object.values(contract.paths).flatMap((item) =>
      methods.flatMap((method) => (item[method] === undefined ? [] : [item[method]])),
    );
    for (const { name } of contract.tags) {
      await page
        .locator('[data-text]', { hasText: new RegExp(`^${name}$`) })
        .first()
        .click();
      for (const operation of operations.filter((op) => op.tags.includes(name))) {
        await page.getByText(operation.summary, { exact: true }).first().waitFor({ timeout: 10_000 });
      }
    }

    const foreign = requested.filter(
      (url) => !url.startsWith(app.url) && !url.startsWith('data:') && !url.startsWith('blob:'),
    );
    expect(foreign).toEqual([]);
    expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await page.close();
  });
});
