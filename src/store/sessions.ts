import type { Kysely, Selectable } from 'kysely';
import type { Database, SessionsTable } from './schema.js';

export type SessionRecord = Selectable<SessionsTable>;

export interface NewSession {
  id: string;
  tokenHash: string;
  csrfTokenHash: string;
  userId: string;
  now: Date;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

export class SessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(session: NewSession): Promise<SessionRecord> {
    const row: SessionRecord = {
      id: session.id,
      token_hash: session.tokenHash,
      user_id: session.userId,
      csrf_token_hash: session.csrfTokenHash,
      created_at: session.now.toISOString(),
      last_seen_at: session.now.toISOString(),
      expires_at: session.expiresAt.toISOString(),
      revoked_at: null,
      user_agent: session.userAgent,
      ip: session.ip,
    };
    await this.db.insertInto('sessions').values(row).execute();
    return row;
  }

  async findByTokenHash(tokenHash: string): Promise<SessionRecord | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  async touch(id: string, now: Date): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: now.toISOString() }).where('id', '=', id).execute();
  }

  async revoke(id: string, now: Date): Promise<void> {
    await this.db.updateTable('sessions').set({ revoked_at: now.toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }

  /** Revokes every live session of the user but `exceptId` (the one making the request, say). */
  async revokeAllForUser(userId: string, now: Date, exceptId?: string): Promise<number> {
    let query = this.db.updateTable('sessions').set({ revoked_at: now.toISOString() }).where('user_id', '=', userId).where('revoked_at', 'is', null);
    if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
