import type { components } from '../../generated/openapi.js';
import { issueApiKey } from '../api-keys/issue-api-key.js';
import type { KeyMode } from '../api-keys/key-format.js';
import type { AuditLog } from '../audit/audit-log.js';
import { requireRecentPassword } from '../auth/sudo-mode.js';
import type { Clock } from '../clock.js';
import { forbidden, notFound, validationFailed } from '../errors/api-error.js';
import { pageOf, pageRequest, unknownCursor } from '../http/pagination.js';
import { type ApiKeyRecord, permissionsOf } from '../store/api-keys.js';
import type { Store } from '../store/store.js';
import type { Operations } from './operation.js';

export interface ApiKeyOperationDeps {
  store: Store;
  clock: Clock;
  /** `live` in production, `test` elsewhere (keyModeFor). */
  keyMode: KeyMode;
  audit: AuditLog;
  /** API_KEY_MAX_PER_USER. */
  maxKeysPerUser: number;
}

/** A Date past 9999 no longer prints as an RFC 3339 date-time. */
const LATEST_EXPIRY = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

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

/** The expiry asked for, or null for "never"; the contract checked its syntax, this checks its sense. */
function parseExpiry(value: string | null | undefined, now: Date): Date | null {
  if (value === undefined || value === null) return null;
  const expiresAt = new Date(value);
  const problem = (message: string) => validationFailed([{ path: '/body/expires_at', message }]);
  if (Number.isNaN(expiresAt.getTime())) throw problem('must be a valid date-time');
  if (expiresAt <= now) throw problem('must be in the future');
  if (expiresAt.getTime() > LATEST_EXPIRY) throw problem('must be before the year 10000');
  return expiresAt;
}

/**
 * API keys owned by users. The contract lets only Basic and session credentials in, so an API
 * key can never mint, list or revoke keys; a session mints only in sudo mode (sudo-mode.ts). Another user's key is "not found", not "forbidden",
 * so ids cannot be probed; admins see and revoke everyone's.
 */
export function apiKeysOperations({
  store,
  clock,
  keyMode,
  maxKeysPerUser,
  audit,
}: ApiKeyOperationDeps): Operations<'createApiKey' | 'listApiKeys' | 'revokeApiKey'> {
  return {
    createApiKey: async ({ body }, context) => {
      const now = clock.now();
      // A key outlives a password change unless revoked: a session must have proved the password lately.
      requireRecentPassword(context.principal, now, 'mint an API key');
      const expiresAt = parseExpiry(body.expires_at, now);
      const { key, record } = await issueApiKey(store, {
        userId: context.principal.user.id,
        name: body.name,
        permissions: body.permissions,
        expiresAt,
        mode: keyMode,
        now,
        maxActive: maxKeysPerUser,
      });
      await audit.recordFrom(context.origin, {
        action: 'api_key.created',
        outcome: 'success',
        subject: { type: 'api_key', id: record.id },
        detail: { name: record.name, permissions: record.permissions, expires_at: record.expires_at },
      });
      return { status: 201, body: { ...apiKeyJson(record), key } };
    },
    listApiKeys: async ({ query }, context) => {
      const caller = context.principal.user;
      const userId = query.user_id ?? caller.id;
      if (userId !== caller.id) {
        if (caller.role !== 'admin') throw forbidden('Admins only');
        if ((await store.users.findById(userId)) === undefined) throw notFound('User not found');
      }
      const { limit, startingAfter: cursor } = pageRequest(query);
      let startingAfter: ApiKeyRecord | undefined;
      if (cursor !== undefined) {
        startingAfter = await store.apiKeys.findById(cursor);
        // A revoked key still marks a place in the list; another user's key does not.
        if (startingAfter?.user_id !== userId) throw unknownCursor('API key in this list');
      }
      const page = pageOf(await store.apiKeys.listByUser(userId, { limit: limit + 1, startingAfter }), limit);
      return { status: 200, body: { data: page.data.map(apiKeyJson), has_more: page.has_more } };
    },
    revokeApiKey: async ({ params }, context) => {
      const caller = context.principal.user;
      const record = await store.apiKeys.findById(params.id);
      const visible =
        record !== undefined && record.revoked_at === null && (record.user_id === caller.id || caller.role === 'admin');
      // revoke() is conditional, so of two concurrent revocations only one answers 204.
      if (!visible || !(await store.apiKeys.revoke(record.id, clock.now()))) throw notFound('API key not found');
      await audit.recordFrom(context.origin, {
        action: 'api_key.revoked',
        outcome: 'success',
        subject: { type: 'api_key', id: record.id },
        detail: { owner_user_id: record.user_id },
      });
      return { status: 204 };
    },
  };
}
