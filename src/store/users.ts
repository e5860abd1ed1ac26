import type { Kysely, Selectable } from 'kysely';
import type { Database, Role, UsersTable } from './schema.js';

export type UserRecord = Selectable<UsersTable>;

export interface NewUser {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
  now: Date;
}

/** Usernames are unique regardless of case (and of Unicode composition). */
export function usernameKey(username: string): string {
  return username.normalize('NFC').toLowerCase();
}

export class UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findById(id: string): Promise<UserRecord | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByUsername(username: string): Promise<UserRecord | undefined> {
    return this.db.selectFrom('users').selectAll().where('username_key', '=', usernameKey(username)).executeTakeFirst();
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Throws the database's unique violation when the username is taken (see isUniqueViolation). */
  async create(user: NewUser): Promise<UserRecord> {
    const row: UserRecord = {
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
    return row;
  }
}
