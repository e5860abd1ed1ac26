import { Router } from 'express';
import type { RequestJson, ResponseJson } from '../http/contract-types.js';

/** The seed's API-key routes: a fixed read and an echoing write. */
export function apiKeyItemRoutes(): Router {
  const router = Router();

  router.get('/apikey/data', (_req, res) => {
    const body: ResponseJson<'getApiKeyData', 200> = { data: ['item1', 'item2'] };
    res.json(body);
  });

  router.post('/apikey/create', (req, res) => {
    const item = req.body as RequestJson<'createApiKeyItem'>;
    const body: ResponseJson<'createApiKeyItem', 200> = { message: 'Item created', item };
    res.json(body);
  });

  return router;
}
