import { type Kysely, type Selectable, sql } from 'kysely';
import type { Dialect } from './database.js';
import { newestFirst } from './keyset.js';
import { preparedQuery } from './prepared-query.js';
import type { Database, Role, UsersTable } from './schema.js';

/** A users row as stored: `disabled` is 0/1, as both engines read it. */
export type UserRow = Selectable<UsersTable>;

/** A user as the rest of the service sees one: the storage encodings stay in this folder. */
export type UserRecord = Omit<UserRow, 'disabled'> & { disabled: boolean };

export function userFromRow(row: UserRow): UserRecord {
  return { ...row, disabled: row.disabled !== 0 };
}

function userOrUndefined(row: UserRow | undefined): UserRecord | undefined {
  return row === undefined ? undefined : userFromRow(row);
}

export interface NewUser {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
  now: Date;
}

/** What an update may change; every one of them is something a cached credential vouches for. */
export interface UserUpdate {
  role?: Role;
  disabled?: boolean;
  passwordHash?: string;
}

/** Usernames are unique regardless of case (and of Unicode composition). */
export function usernameKey(username: string): string {
  return username.normalize('NFC').toLowerCase();
}

export class UserRepository {
  /** Every Basic request with a cached credential reads its user: compiled once. */
  private readonly byId: (args: { id: string }) => Promise<UserRow[]>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {
    this.byId = preparedQuery(db, ['id'], ({ id }) => db.selectFrom('users').selectAll().where('id', '=', id));
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    return userOrUndefined((await this.byId({ id }))[0]);
  }

  async findByUsername(username: string): Promise<UserRecord | undefined> {
    return userOrUndefined(
      await this.db
        .selectFrom('users')
        .selectAll()
        .where('username_key', '=', usernameKey(username))
        .executeTakeFirst(),
    );
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * How many password hashes there are of each bcrypt cost. The cost sits at a fixed place in
   * each format (`$2b$12$…`, and `$gh2$$2b$12$…` once passwords are pre-hashed), so the
   * database counts without sending a hash back.
   */
  async hashCostCounts(): Promise<Map<number, number>> {
    const cost = sql<string>`case when password_hash like '$gh2$%' then substr(password_hash, 10, 2) else substr(password_hash, 5, 2) end`;
    const rows = await this.db
      .selectFrom('users')
      .select([cost.as('cost'), (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy(cost)
      .execute();
    const counts = new Map<number, number>();
    for (const row of rows) {
      const value = Number(row.cost);
      if (Number.isInteger(value)) counts.set(value, (counts.get(value) ?? 0) + Number(row.n));
    }
    return counts;
  }

  /**
   * Swaps a hash for a new one of the same password (another cost or format). Not a credential
   * change, so credential_version stays and cached credentials stay valid; only the hash that
   * was verified is replaced, so a password change that landed meanwhile is never undone.
   */
  async replacePasswordHash(id: string, verifiedHash: string, newHash: string): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ password_hash: newHash })
      .where('id', '=', id)
      .where('password_hash', '=', verifiedHash)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Throws the database's unique violation when the username is taken (see isUniqueViolation). */
  async create(user: NewUser): Promise<UserRecord> {
    const row: UserRow = {
      id: user.id,
      username: user.username,
      username_key: usernameKey(user.username),
      password_hash: user.passwordHash,
      role: user.role,
      disabled: 0,
      credential_version: 1,
      created_at: user.now.toISOString(),
      updated_at: user.now.toISOString(),
    };
    await this.db.insertInto('users').values(row).execute();
    return userFromRow(row);
  }

  /** Newest first; `after` is the (created_at, id) of the last user of the previous page. */
  async list(limit: number, after?: { createdAt: string; id: string }): Promise<UserRecord[]> {
    const query = this.db.selectFrom('users').selectAll();
    const rows = await newestFirst(query, 'created_at', {
      limit,
      after: after === undefined ? undefined : { at: after.createdAt, id: after.id },
    }).execute();
    return rows.map(userFromRow);
  }

  /**
   * Applies the changes and bumps credential_version, so that every cached Basic credential of
   * the user stops being honoured. Returns the user as changed, or undefined when there is none.
   */
  async update(id: string, changes: UserUpdate, now: Date): Promise<UserRecord | undefined> {
    await this.db
      .updateTable('users')
      .set((eb) => ({
        ...(changes.role === undefined ? {} : { role: changes.role }),
        ...(changes.disabled === undefined ? {} : { disabled: changes.disabled ? 1 : 0 }),
        ...(changes.passwordHash === undefined ? {} : { password_hash: changes.passwordHash }),
        credential_version: eb('credential_version', '+', 1),
        updated_at: now.toISOString(),
      }))
      .where('id', '=', id)
      .execute();
    return this.findById(id);
  }

  /**
   * Bumps credential_version alone: what the password proves has changed (a second factor was
   * turned on), so every cached Basic credential of the user must be checked again.
   */
  async bumpCredentialVersion(id: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set((eb) => ({ credential_version: eb('credential_version', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  /** Deletes the user; the database deletes their sessions and API keys with them. */
  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Inside a transaction on PostgreSQL, holds the user's row until it ends (SQLite needs nothing: one writer at a time). */
  async lockForUpdate(id: string): Promise<void> {
    if (this.dialect !== 'postgres') return;
    await this.db.selectFrom('users').select('id').where('id', '=', id).forUpdate().execute();
  }

  /**
   * The ids of the enabled admins. Inside a transaction on PostgreSQL their rows stay locked
   * until it ends, so two admins demoting each other at once cannot leave no admin; SQLite
   * runs one writing transaction at a time anyway.
   */
  async lockActiveAdminIds(): Promise<string[]> {
    const query = this.db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'admin')
      .where('disabled', '=', 0)
      .orderBy('id');
    const rows = await (this.dialect === 'postgres' ? query.forUpdate() : query).execute();
    return rows.map((row) => row.id);
  }
}
