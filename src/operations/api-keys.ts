import type { components } from '../../generated/openapi.js';
import type { ApiKeyService } from '../api-keys/api-key-service.js';
import { forbidden, notFound } from '../errors/api-error.js';
import { listPage } from '../http/pagination.js';
import type { StepUp } from '../second-factor/step-up.js';
import { type ApiKeyRecord, permissionsOf } from '../store/api-keys.js';
import type { Store } from '../store/store.js';
import type { Operations } from './operation.js';

export interface ApiKeyOperationDeps {
  store: Store;
  apiKeys: ApiKeyService;
  stepUp: StepUp;
}

/** A key as the contract lists it: never the secret, never the hash. */
function apiKeyJson(record: ApiKeyRecord): components['schemas']['ApiKey'] {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    permissions: permissionsOf(record),
    created_at: record.created_at,
    expires_at: record.expires_at,
    last_used_at: record.last_used_at,
  };
}

/**
 * API keys owned by users. The contract lets only Basic and session credentials in, so an API
 * key can never mint, list or revoke keys; a session mints only in sudo mode (sudo-mode.ts). Another user's key is "not found", not "forbidden",
 * so ids cannot be probed; admins see and revoke everyone's.
 */
export function apiKeysOperations({
  store,
  apiKeys,
  stepUp,
}: ApiKeyOperationDeps): Operations<'createApiKey' | 'listApiKeys' | 'revokeApiKey'> {
  return {
    createApiKey: async ({ body }, context) => {
      // A key outlives a password change unless revoked: a session must have proved the password lately.
      // With a second factor, the factor too (StepUp).
      await stepUp.require(context.principal, 'mint an API key');
      const { key, record } = await apiKeys.issue(
        context.principal.user,
        { name: body.name, permissions: body.permissions, expiresAt: body.expires_at },
        context.origin,
      );
      return { status: 201, body: { ...apiKeyJson(record), key } };
    },
    listApiKeys: async ({ query }, context) => {
      const caller = context.principal.user;
      const userId = query.user_id ?? caller.id;
      if (userId !== caller.id) {
        if (caller.role !== 'admin') throw forbidden('Admins only');
        if ((await store.users.findById(userId)) === undefined) throw notFound('User not found');
      }
      const page = await listPage(query, {
        // A revoked key still marks a place in the list; another user's key does not.
        find: async (id) => {
          const key = await apiKeys.findById(id);
          return key?.user_id === userId ? key : undefined;
        },
        what: 'API key in this list',
        list: (limit, startingAfter) => apiKeys.list(userId, { limit, startingAfter }),
      });
      return { status: 200, body: { data: page.data.map(apiKeyJson), has_more: page.has_more } };
    },
    revokeApiKey: async ({ params }, context) => {
      const revoked = await apiKeys.revoke(params.id, context.origin, { visibleTo: context.principal.user });
      if (!revoked) throw notFound('API key not found');
      return { status: 204 };
    },
  };
}
