import { notFound } from '../errors/api-error.js';
import { listPage } from '../http/pagination.js';
import type { Store } from '../store/store.js';
import type { UserService } from '../users/user-service.js';
import type { Operations } from './operation.js';
import { userAccountJson } from './user-json.js';

export interface UserOperationDeps {
  store: Store;
  users: UserService;
}

/** User management for admins; the contract keeps everyone else out before these run. */
export function usersOperations({
  store,
  users,
}: UserOperationDeps): Operations<'createUser' | 'listUsers' | 'getUser' | 'updateUser' | 'deleteUser'> {
  return {
    createUser: async ({ body }, context) => {
      const user = await users.create(body, context.origin);
      return {
        status: 201,
        body: userAccountJson(user),
        headers: { Location: `/users/${encodeURIComponent(user.id)}` },
      };
    },
    listUsers: async ({ query }) => {
      const page = await listPage(query, {
        find: (id) => store.users.findById(id),
        what: 'user',
        list: (limit, after) =>
          store.users.list(limit, after === undefined ? undefined : { createdAt: after.created_at, id: after.id }),
      });
      return { status: 200, body: { data: page.data.map(userAccountJson), has_more: page.has_more } };
    },
    getUser: async ({ params }) => {
      const user = await store.users.findById(params.id);
      if (user === undefined) throw notFound('User not found');
      return { status: 200, body: userAccountJson(user) };
    },
    updateUser: async ({ params, body }, context) => {
      const user = await users.update(params.id, body, context.origin);
      return { status: 200, body: userAccountJson(user) };
    },
    deleteUser: async ({ params }, context) => {
      await users.remove(params.id, context.origin);
      return { status: 204 };
    },
  };
}
