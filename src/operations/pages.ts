import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Operations } from './operation.js';

/** The page may run its own script and style and talk to this service; nothing else, from nowhere else. */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The sign-in page and its assets, read once per app. */
export function pagesOperations(
  webDir: string,
): Operations<'getSignInPage' | 'getSignInScript' | 'getAdminScript' | 'getPasskeysScript' | 'getSignInStyles'> {
  const page = readFileSync(join(webDir, 'index.html'), 'utf8');
  const script = readFileSync(join(webDir, 'app.js'), 'utf8');
  const adminScript = readFileSync(join(webDir, 'admin.js'), 'utf8');
  const passkeysScript = readFileSync(join(webDir, 'passkeys.js'), 'utf8');
  const styles = readFileSync(join(webDir, 'app.css'), 'utf8');
  const pageHeaders = { 'Content-Security-Policy': PAGE_CSP };
  return {
    getSignInPage: () => ({ status: 200, contentType: 'text/html', body: page, headers: pageHeaders }),
    getSignInScript: () => ({ status: 200, contentType: 'text/javascript', body: script }),
    getAdminScript: () => ({ status: 200, contentType: 'text/javascript', body: adminScript }),
    getPasskeysScript: () => ({ status: 200, contentType: 'text/javascript', body: passkeysScript }),
    getSignInStyles: () => ({ status: 200, contentType: 'text/css', body: styles }),
  };
}
