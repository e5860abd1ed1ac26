import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, never a downloaded browser; the flags keep it off this machine's closed network. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export const chromiumInstalled = existsSync(CHROMIUM);

export function announceBrowserSkip(): void {
  if (!chromiumInstalled)
    console.warn(`SKIPPED: browser tests — ${CHROMIUM} is missing (apt-get install chromium; .ci/run does)`);
}
