import type { AuditLog, AuditOrigin } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import { newId, sha256Hex } from '../crypto/tokens.js';
import { Conflict } from '../errors/domain-errors.js';
import type { ApiKeyPage, ApiKeyRecord } from '../store/api-keys.js';
import type { Permission } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { UserRecord } from '../store/users.js';
import { parseExpiry } from './key-expiry.js';
import { generateApiKey, type KeyMode } from './key-format.js';

export interface ApiKeyServiceDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
  /** `live` in production, `test` elsewhere (keyModeFor). */
  mode: KeyMode;
  /** API_KEY_MAX_PER_USER: active (unrevoked, unexpired) keys one user may hold. */
  maxActivePerUser: number;
}

export interface KeyRequest {
  name: string;
  permissions: Permission[];
  /** ISO 8601 as the caller wrote it; null or absent for a key that never expires. */
  expiresAt?: string | null;
}

export interface IssuedKey {
  /** The secret, shown once: only its SHA-256 is stored. */
  key: string;
  record: ApiKeyRecord;
}

/**
 * The life of API keys, shared by the routes and the admin CLI: issue (under the per-user cap),
 * list, revoke, each change with its audit event.
 */
export class ApiKeyService {
  constructor(private readonly deps: ApiKeyServiceDeps) {}

  /** The same service over the repositories of a transaction. */
  within(tx: Store): ApiKeyService {
    return new ApiKeyService({ ...this.deps, store: tx });
  }

  /**
   * Mints a key for `owner`. The cap is counted inside the insert's transaction, with the
   * owner's row locked on PostgreSQL (SQLite writes one transaction at a time), so parallel
   * requests cannot overshoot it.
   */
  async issue(owner: UserRecord, request: KeyRequest, origin: AuditOrigin): Promise<IssuedKey> {
    const { store, clock, mode, maxActivePerUser } = this.deps;
    const now = clock.now();
    const expiresAt = parseExpiry(request.expiresAt, now);
    if (owner.disabled) throw new Conflict(`${owner.username} is disabled`);
    const { key, prefix } = generateApiKey(mode);
    const record = await store.transaction(async (tx) => {
      await tx.users.lockForUpdate(owner.id);
      if ((await tx.apiKeys.countActive(owner.id, now)) >= maxActivePerUser)
        throw new Conflict(`A user may have at most ${maxActivePerUser} active API keys; revoke one first`);
      return tx.apiKeys.create({
        id: newId('key'),
        userId: owner.id,
        name: request.name,
        prefix,
        keyHash: sha256Hex(key),
        permissions: [...new Set(request.permissions)].sort(),
        expiresAt,
        now,
      });
    });
    await this.deps.audit.recordFrom(origin, {
      action: 'api_key.created',
      outcome: 'success',
      username: owner.username,
      subject: { type: 'api_key', id: record.id },
      detail: { name: record.name, permissions: record.permissions, expires_at: record.expires_at },
    });
    return { key, record };
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    return this.deps.store.apiKeys.findById(id);
  }

  /** One page of the user's keys that are not revoked, newest first. */
  async list(userId: string, page: ApiKeyPage): Promise<ApiKeyRecord[]> {
    return this.deps.store.apiKeys.listByUser(userId, page);
  }

  /** Every key of the user, revoked and expired ones included, newest first. */
  async listAll(userId: string): Promise<ApiKeyRecord[]> {
    return this.deps.store.apiKeys.listForUser(userId);
  }

  /**
   * Revokes an active key; with `visibleTo`, only one that user owns, or any when they are an
   * admin. False when there is no such key: revoke() is conditional, so of two concurrent
   * revocations only one gets true.
   */
  async revoke(id: string, origin: AuditOrigin, options: { visibleTo?: UserRecord } = {}): Promise<boolean> {
    const { store, clock, audit } = this.deps;
    const record = await store.apiKeys.findById(id);
    if (record === undefined || record.revoked_at !== null) return false;
    const caller = options.visibleTo;
    if (caller !== undefined && record.user_id !== caller.id && caller.role !== 'admin') return false;
    if (!(await store.apiKeys.revoke(record.id, clock.now()))) return false;
    await audit.recordFrom(origin, {
      action: 'api_key.revoked',
      outcome: 'success',
      subject: { type: 'api_key', id: record.id },
      detail: { owner_user_id: record.user_id },
    });
    return true;
  }

  /** Revokes every key of the user, unaudited: the change that causes it (a disable) is audited. */
  async revokeAllForUser(userId: string): Promise<number> {
    return this.deps.store.apiKeys.revokeAllForUser(userId, this.deps.clock.now());
  }
}
