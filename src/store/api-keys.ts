import type { Kysely, Selectable } from 'kysely';
import type { ApiKeysTable, Database, Permission } from './schema.js';

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

export function permissionsOf(record: ApiKeyRecord): Permission[] {
  return record.permissions.split(',').filter((p): p is Permission => p === 'read' || p === 'write');
}

export class ApiKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    return this.db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
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
    const result = await this.db.updateTable('api_keys').set({ revoked_at: now.toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async markUsed(id: string, now: Date): Promise<void> {
    await this.db.updateTable('api_keys').set({ last_used_at: now.toISOString() }).where('id', '=', id).execute();
  }

  /** Every key of the user, newest first, revoked and expired ones included. */
  async listForUser(userId: string): Promise<ApiKeyRecord[]> {
    return this.db.selectFrom('api_keys').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  }

  /** Revokes every key of the user that is not revoked yet. */
  async revokeAllForUser(userId: string, now: Date): Promise<number> {
    const result = await this.db.updateTable('api_keys').set({ revoked_at: now.toISOString() }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
