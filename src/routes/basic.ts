import { Router } from 'express';
import { principalOf } from '../auth/auth-record.js';
import type { ResponseJson } from '../http/contract-types.js';

export function basicRoutes(): Router {
  const router = Router();

  router.get('/basic/profile', (req, res) => {
    const body: ResponseJson<'getBasicProfile', 200> = { message: `Welcome ${principalOf(req).user.username}!` };
    res.json(body);
  });

  router.get('/basic/admin', (_req, res) => {
    const body: ResponseJson<'getBasicAdmin', 200> = { message: "You're in the admin zone." };
    res.json(body);
  });

  return router;
}
