import { notFound } from '../errors/api-error.js';
import { listPage } from '../http/pagination.js';
import type { SecondFactors } from '../second-factor/second-factors.js';
import type { StepUp } from '../second-factor/step-up.js';
import type { Store } from '../store/store.js';
import type { UserService } from '../users/user-service.js';
import type { Operations } from './operation.js';
import { userAccountJson } from './user-json.js';

export interface UserOperationDeps {
  store: Store;
  users: UserService;
  secondFactors: SecondFactors;
  stepUp: StepUp;
}

const NO_FACTORS = { totp: false, passkeys: 0 } as const;

/**
 * User management for admins; the contract keeps everyone else out before these run. An admin
 * with a second factor changes users only with it proved lately (StepUp).
 */
export function usersOperations({
  store,
  users,
  secondFactors,
  stepUp,
}: UserOperationDeps): Operations<
  'createUser' | 'listUsers' | 'getUser' | 'updateUser' | 'deleteUser' | 'resetUserSecondFactors'
> {
  return {
    createUser: async ({ body }, context) => {
      await stepUp.requireForFactorAccounts(context.principal, 'change users');
      const user = await users.create(body, context.origin);
      return {
        status: 201,
        body: userAccountJson(user, NO_FACTORS),
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
      const factors = await secondFactors.factorsOfMany(page.data.map((user) => user.id));
      return {
        status: 200,
        body: {
          data: page.data.map((user) => userAccountJson(user, factors.get(user.id) ?? NO_FACTORS)),
          has_more: page.has_more,
        },
      };
    },
    getUser: async ({ params }) => {
      const user = await store.users.findById(params.id);
      if (user === undefined) throw notFound('User not found');
      return { status: 200, body: userAccountJson(user, await secondFactors.factorsOf(user.id)) };
    },
    updateUser: async ({ params, body }, context) => {
      await stepUp.requireForFactorAccounts(context.principal, 'change users');
      const user = await users.update(params.id, body, context.origin);
      return { status: 200, body: userAccountJson(user, await secondFactors.factorsOf(user.id)) };
    },
    deleteUser: async ({ params }, context) => {
      await stepUp.requireForFactorAccounts(context.principal, 'change users');
      await users.remove(params.id, context.origin);
      return { status: 204 };
    },
    resetUserSecondFactors: async ({ params }, context) => {
      await stepUp.requireForFactorAccounts(context.principal, 'change users');
      await secondFactors.reset(params.id, context.origin);
      return { status: 204 };
    },
  };
}
