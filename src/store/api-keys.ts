import type { Kysely, Selectable } from 'kysely';
import { newestFirst } from './keyset.js';
import { OWNER_COLUMNS, type OwnerColumns, ownerSplitter } from './owner-columns.js';
import { preparedQuery } from './prepared-query.js';
import type { ApiKeysTable, Database, Permission } from './schema.js';
import type { UserRecord } from './users.js';

export type ApiKeyRecord = Selectable<ApiKeysTable>;

export interface NewApiKey {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  keyHash: string;
  permissions: Permission[];
  expiresAt: Date | null;
  now: Date;
}

export interface ApiKeyPage {
  limit: number;
  startingAfter?: ApiKeyRecord;
}

export function permissionsOf(record: ApiKeyRecord): Permission[] {
  return record.permissions.split(',').filter((p): p is Permission => p === 'read' || p === 'write');
}

type KeyWithOwner = ApiKeyRecord & OwnerColumns;

export class ApiKeyRepository {
  /** Every API-key request looks its key up with the owner: compiled once. */
  private readonly withOwnerByHash: (args: { keyHash: string }) => Promise<KeyWithOwner[]>;
  private readonly splitOwner = ownerSplitter<KeyWithOwner>();

  constructor(private readonly db: Kysely<Database>) {
    this.withOwnerByHash = preparedQuery(db, ['keyHash'], ({ keyHash }) =>
      db
        .selectFrom('api_keys')
        .innerJoin('users', 'users.id', 'api_keys.user_id')
        .selectAll('api_keys')
        .select(OWNER_COLUMNS)
        .where('api_keys.key_hash', '=', keyHash),
    );
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    return this.db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
  }

  /** The key and the user it belongs to, in one round trip. */
  async findWithOwnerByHash(keyHash: string): Promise<{ record: ApiKeyRecord; owner: UserRecord } | undefined> {
    const [row] = await this.withOwnerByHash({ keyHash });
    return row === undefined ? undefined : this.splitOwner(row);
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    return this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * A user's keys that are not revoked (expired ones included, so they can be seen and removed),
   * newest first; `startingAfter` is the last key of the previous page.
   */
  async listByUser(userId: string, page: ApiKeyPage): Promise<ApiKeyRecord[]> {
    const query = this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    const after = page.startingAfter;
    return newestFirst(query, 'created_at', {
      limit: page.limit,
      after: after === undefined ? undefined : { at: after.created_at, id: after.id },
    }).execute();
  }

  /** Keys of the user that still work: not revoked, not past their expiry. */
  async countActive(userId: string, now: Date): Promise<number> {
    const row = await this.db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now.toISOString())]))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async create(key: NewApiKey): Promise<ApiKeyRecord> {
    const row: ApiKeyRecord = {
      id: key.id,
      user_id: key.userId,
      name: key.name,
      prefix: key.prefix,
      key_hash: key.keyHash,
      permissions: key.permissions.join(','),
      created_at: key.now.toISOString(),
      expires_at: key.expiresAt?.toISOString() ?? null,
      last_used_at: null,
      revoked_at: null,
    };
    await this.db.insertInto('api_keys').values(row).execute();
    return row;
  }

  /** Revokes once; returns false when the key was already revoked or does not exist. */
  async revoke(id: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: now.toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Removes the key for good (the demo keys); returns false when there was none. */
  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('api_keys').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * Records a use. With `notUsedSince`, only a key not already marked after that time is
   * written, so concurrent requests (or instances) do not all write the same minute.
   */
  async markUsed(id: string, now: Date, notUsedSince?: Date): Promise<void> {
    let query = this.db.updateTable('api_keys').set({ last_used_at: now.toISOString() }).where('id', '=', id);
    if (notUsedSince !== undefined) {
      const since = notUsedSince.toISOString();
      query = query.where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', since)]));
    }
    await query.execute();
  }

  /** Every key of the user, newest first, revoked and expired ones included. */
  async listForUser(userId: string): Promise<ApiKeyRecord[]> {
    return this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
  }

  /** Revokes every key of the user that is not revoked yet. */
  async revokeAllForUser(userId: string, now: Date): Promise<number> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: now.toISOString() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
