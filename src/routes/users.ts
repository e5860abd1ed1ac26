import { Router } from 'express';
import { requestOrigin } from '../audit/audit-log.js';
import { notFound } from '../errors/api-error.js';
import type { RequestJson, ResponseJson } from '../http/contract-types.js';
import { pageOf, pageRequest, unknownCursor } from '../http/pagination.js';
import type { Store } from '../store/store.js';
import type { UserService } from '../users/user-service.js';
import { userAccountJson } from './user-json.js';

export interface UserRouteDeps {
  store: Store;
  users: UserService;
}

/** User management for admins; the contract keeps everyone else out before these run. */
export function userRoutes({ store, users }: UserRouteDeps): Router {
  const router = Router();

  router.post('/users', async (req, res) => {
    const user = await users.create(req.body as RequestJson<'createUser'>, requestOrigin(req));
    const body: ResponseJson<'createUser', 201> = userAccountJson(user);
    res
      .status(201)
      .location(`/users/${encodeURIComponent(user.id)}`)
      .json(body);
  });

  router.get('/users', async (req, res) => {
    const { limit, startingAfter } = pageRequest(req);
    let after: { createdAt: string; id: string } | undefined;
    if (startingAfter !== undefined) {
      const last = await store.users.findById(startingAfter);
      if (last === undefined) throw unknownCursor('user');
      after = { createdAt: last.created_at, id: last.id };
    }
    const page = pageOf(await store.users.list(limit + 1, after), limit);
    const body: ResponseJson<'listUsers', 200> = { data: page.data.map(userAccountJson), has_more: page.has_more };
    res.json(body);
  });

  router.get('/users/:id', async (req, res) => {
    const user = await store.users.findById(req.params.id as string);
    if (user === undefined) throw notFound('User not found');
    const body: ResponseJson<'getUser', 200> = userAccountJson(user);
    res.json(body);
  });

  router.patch('/users/:id', async (req, res) => {
    const user = await users.update(req.params.id as string, req.body as RequestJson<'updateUser'>, requestOrigin(req));
    const body: ResponseJson<'updateUser', 200> = userAccountJson(user);
    res.json(body);
  });

  router.delete('/users/:id', async (req, res) => {
    await users.remove(req.params.id as string, requestOrigin(req));
    res.status(204).end();
  });

  return router;
}
