import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';

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

/** The sign-in page and its two assets, read once per app. */
export function pageRoutes(webDir: string): Router {
  const router = Router();
  const page = readFileSync(join(webDir, 'index.html'), 'utf8');
  const script = readFileSync(join(webDir, 'app.js'), 'utf8');
  const styles = readFileSync(join(webDir, 'app.css'), 'utf8');

  router.get('/', (_req, res) => {
    res.setHeader('Content-Security-Policy', PAGE_CSP);
    res.type('text/html').send(page);
  });
  router.get('/app.js', (_req, res) => {
    res.type('text/javascript').send(script);
  });
  router.get('/app.css', (_req, res) => {
    res.type('text/css').send(styles);
  });
  return router;
}
