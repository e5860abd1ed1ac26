import type { Kysely, Selectable } from 'kysely';
import type { Database, PasskeysTable } from './schema.js';

/** A passkey as the service uses it: the counter a number on both databases, transports a list. */
export interface PasskeyRecord {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: string;
  counter: number;
  transports: string[];
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export interface NewPasskey {
  id: string;
  userId: string;
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  name: string;
  now: Date;
}

function toRecord(row: Selectable<PasskeysTable>): PasskeyRecord {
  return {
    ...row,
    counter: Number(row.counter),
    transports: row.transports === '' ? [] : row.transports.split(','),
  };
}

export class PasskeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Throws a unique violation when the credential is registered already (to anyone). */
  async create(passkey: NewPasskey): Promise<PasskeyRecord> {
    const row = {
      id: passkey.id,
      user_id: passkey.userId,
      credential_id: passkey.credentialId,
      public_key: passkey.publicKey,
      counter: passkey.counter,
      transports: passkey.transports.join(','),
      name: passkey.name,
      created_at: passkey.now.toISOString(),
      last_used_at: null,
    };
    await this.db.insertInto('passkeys').values(row).execute();
    return toRecord(row);
  }

  async findByCredentialId(credentialId: string): Promise<PasskeyRecord | undefined> {
    const row = await this.db
      .selectFrom('passkeys')
      .selectAll()
      .where('credential_id', '=', credentialId)
      .executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  /** The user's passkeys, newest first, at most `limit`. */
  async listByUser(userId: string, limit: number): Promise<PasskeyRecord[]> {
    const rows = await this.db
      .selectFrom('passkeys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }

  async countByUser(userId: string): Promise<number> {
    const { count } = await this.db
      .selectFrom('passkeys')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  /** How many passkeys each of these users holds, in one query; users without any are absent. */
  async countByUsers(userIds: readonly string[]): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('passkeys')
      .select((eb) => ['user_id', eb.fn.countAll<number | string>().as('count')])
      .where('user_id', 'in', userIds)
      .groupBy('user_id')
      .execute();
    return new Map(rows.map((row) => [row.user_id, Number(row.count)]));
  }

  /**
   * Records a sign-in, only if the counter is still the one the assertion was checked against:
   * of two racing uses of one passkey (a clone's among them), one lands.
   */
  async recordUse(id: string, checkedCounter: number, newCounter: number, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('passkeys')
      .set({ counter: newCounter, last_used_at: now.toISOString() })
      .where('id', '=', id)
      .where('counter', '=', checkedCounter)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Deletes one of the user's passkeys; false when the user has no such passkey. */
  async deleteOwn(userId: string, id: string): Promise<PasskeyRecord | undefined> {
    const row = await this.db
      .deleteFrom('passkeys')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  /** Deletes every passkey of the user; returns how many. */
  async deleteAllForUser(userId: string): Promise<number> {
    const result = await this.db.deleteFrom('passkeys').where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
