import type { Kysely, Selectable } from 'kysely';
import { OWNER_COLUMNS, type OwnerColumns, ownerSplitter } from './owner-columns.js';
import { preparedQuery } from './prepared-query.js';
import type { Database, SessionsTable } from './schema.js';
import type { UserRecord } from './users.js';

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
  /** A pending sign-in that owes a second factor until then (see Sessions.startPending). */
  pendingUntil?: Date;
  /** The sign-in proved a second factor (two-step sign-in). */
  factorVerified?: boolean;
}

/** What "live" means to a query: not revoked, before the absolute end, seen within the idle window. */
export interface LiveWindow {
  now: Date;
  seenSince: Date;
}

type SessionWithOwner = SessionRecord & OwnerColumns;

export class SessionRepository {
  /** Every session request looks its session up with the owner: compiled once. */
  private readonly withOwnerByTokenHash: (args: { tokenHash: string }) => Promise<SessionWithOwner[]>;
  private readonly splitOwner = ownerSplitter<SessionWithOwner>();

  constructor(private readonly db: Kysely<Database>) {
    this.withOwnerByTokenHash = preparedQuery(db, ['tokenHash'], ({ tokenHash }) =>
      db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .selectAll('sessions')
        .select(OWNER_COLUMNS)
        .where('sessions.token_hash', '=', tokenHash),
    );
  }

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
      reauthenticated_at: null,
      pending_until: session.pendingUntil?.toISOString() ?? null,
      factor_verified_at: session.factorVerified === true ? session.now.toISOString() : null,
      user_agent: session.userAgent,
      ip: session.ip,
    };
    await this.db.insertInto('sessions').values(row).execute();
    return row;
  }

  async findByTokenHash(tokenHash: string): Promise<SessionRecord | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  /** The session and the user it belongs to, in one round trip. */
  async findWithOwnerByTokenHash(tokenHash: string): Promise<{ record: SessionRecord; owner: UserRecord } | undefined> {
    const [row] = await this.withOwnerByTokenHash({ tokenHash });
    return row === undefined ? undefined : this.splitOwner(row);
  }

  async findById(id: string): Promise<SessionRecord | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** A user's live sessions, newest first, at most `limit` of them. */
  async listLiveByUser(userId: string, live: LiveWindow, limit: number): Promise<SessionRecord[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('pending_until', 'is', null)
      .where('expires_at', '>', live.now.toISOString())
      .where('last_seen_at', '>', live.seenSince.toISOString())
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  async touch(id: string, now: Date): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: now.toISOString() }).where('id', '=', id).execute();
  }

  /** Records that a session not revoked proved its password again; false when it was revoked. */
  async markReauthenticated(id: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({ reauthenticated_at: now.toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** As markReauthenticated, for a confirmation that proved a second factor with the password. */
  async markReauthenticatedWithFactor(id: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({ reauthenticated_at: now.toISOString(), factor_verified_at: now.toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .where('pending_until', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Records that a full session just proved a second factor (a first code that turned TOTP on). */
  async markFactorVerified(id: string, now: Date): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ factor_verified_at: now.toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .where('pending_until', 'is', null)
      .execute();
  }

  /** Swaps the CSRF token's hash, only if it is still `previous` (of two racing swaps, one lands). */
  async replaceCsrfTokenHash(id: string, previous: string, next: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ csrf_token_hash: next })
      .where('id', '=', id)
      .where('csrf_token_hash', '=', previous)
      .execute();
  }

  /** Revokes once; returns false when the session was already revoked or does not exist. */
  async revoke(id: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({ revoked_at: now.toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Deletes at most `limit` of the sessions that can never be used again: revoked, past their
   * absolute end, or not seen since `seenBefore` (idle too long); returns how many.
   */
  async deleteEnded(now: Date, seenBefore: Date, limit: number): Promise<number> {
    const result = await this.db
      .deleteFrom('sessions')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('sessions')
          .select('id')
          .where((ended) =>
            ended.or([
              ended('revoked_at', 'is not', null),
              ended('expires_at', '<=', now.toISOString()),
              ended('last_seen_at', '<=', seenBefore.toISOString()),
            ]),
          )
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Revokes every session of a user not yet revoked, but `except` (e.g. the caller's own); returns how many. */
  async revokeAllForUser(userId: string, now: Date, options: { except?: string } = {}): Promise<number> {
    let query = this.db
      .updateTable('sessions')
      .set({ revoked_at: now.toISOString() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (options.except !== undefined) query = query.where('id', '!=', options.except);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
