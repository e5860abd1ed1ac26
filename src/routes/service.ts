import { existsSync } from 'node:fs';
import { Router } from 'express';
import type { Contract } from '../contract.js';
import { unavailable } from '../errors/api-error.js';
import type { ResponseJson } from '../http/contract-types.js';
import type { Store } from '../store/store.js';

export interface ServiceRouteDeps {
  store: Store;
  contract: Contract;
  docsFile: string;
}

/** Redoc's page runs inline scripts and styles and a worker from a blob; nothing leaves the service. */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function serviceRoutes({ store, contract, docsFile }: ServiceRouteDeps): Router {
  const router = Router();
  const documentJson = JSON.stringify(contract.document);

  router.get('/healthz', (_req, res) => {
    const body: ResponseJson<'getHealth', 200> = { status: 'ok' };
    res.json(body);
  });

  router.get('/readyz', async (_req, res) => {
    try {
      await store.ping();
    } catch (error) {
      throw unavailable('The database is not answering', error);
    }
    const body: ResponseJson<'getReadiness', 200> = { status: 'ok' };
    res.json(body);
  });

  router.get('/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(contract.yaml);
  });

  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(documentJson);
  });

  router.get('/docs', (_req, res) => {
    if (!existsSync(docsFile)) throw unavailable('The documentation has not been built: run npm run docs');
    res.setHeader('Content-Security-Policy', DOCS_CSP);
    res.sendFile(docsFile);
  });

  return router;
}
