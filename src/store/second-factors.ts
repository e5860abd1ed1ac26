import type { Kysely, Selectable } from 'kysely';
import type { Database, TotpFactorsTable } from './schema.js';
import { isUniqueViolation } from './unique-violation.js';

export type TotpFactorRecord = Selectable<TotpFactorsTable>;

export interface NewRecoveryCode {
  id: string;
  codeHash: string;
}

/**
 * TOTP factors and recovery codes. Every use of a code is one conditional UPDATE, so of two
 * requests racing with the same code only one changes a row, and only that one passes.
 */
export class SecondFactorRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findTotp(userId: string): Promise<TotpFactorRecord | undefined> {
    return this.db.selectFrom('totp_factors').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  /**
   * Stores a new, unconfirmed secret in place of any unconfirmed one; false when the user has
   * a confirmed factor (which is never replaced here).
   */
  async startTotp(userId: string, secret: string, now: Date): Promise<boolean> {
    await this.db.deleteFrom('totp_factors').where('user_id', '=', userId).where('confirmed_at', 'is', null).execute();
    try {
      await this.db
        .insertInto('totp_factors')
        .values({ user_id: userId, secret, created_at: now.toISOString(), confirmed_at: null, last_used_step: null })
        .execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Turns the unconfirmed factor on, with the step of the code that confirmed it used up; false when there was none. */
  async confirmTotp(userId: string, secret: string, step: number, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('totp_factors')
      .set({ confirmed_at: now.toISOString(), last_used_step: step })
      .where('user_id', '=', userId)
      .where('secret', '=', secret)
      .where('confirmed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Uses up `step` of the confirmed factor; false when that step or a later one was used already. */
  async useTotpStep(userId: string, step: number): Promise<boolean> {
    const result = await this.db
      .updateTable('totp_factors')
      .set({ last_used_step: step })
      .where('user_id', '=', userId)
      .where('confirmed_at', 'is not', null)
      .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Deletes the factor, confirmed or not; true when a confirmed one was deleted. */
  async deleteTotp(userId: string): Promise<boolean> {
    const found = await this.findTotp(userId);
    await this.db.deleteFrom('totp_factors').where('user_id', '=', userId).execute();
    return found?.confirmed_at !== undefined && found.confirmed_at !== null;
  }

  /** Which of these users have a confirmed TOTP factor: one query for a page of users. */
  async usersWithTotp(userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('totp_factors')
      .select('user_id')
      .where('user_id', 'in', userIds)
      .where('confirmed_at', 'is not', null)
      .execute();
    return new Set(rows.map((row) => row.user_id));
  }

  /** Replaces every recovery code of the user with these. */
  async replaceRecoveryCodes(userId: string, codes: readonly NewRecoveryCode[], now: Date): Promise<void> {
    await this.deleteRecoveryCodes(userId);
    await this.db
      .insertInto('recovery_codes')
      .values(
        codes.map((code) => ({
          id: code.id,
          user_id: userId,
          code_hash: code.codeHash,
          created_at: now.toISOString(),
          used_at: null,
        })),
      )
      .execute();
  }

  /** Uses up one unused recovery code of the user; false when there is no such code. */
  async useRecoveryCode(userId: string, codeHash: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('recovery_codes')
      .set({ used_at: now.toISOString() })
      .where('user_id', '=', userId)
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async countUnusedRecoveryCodes(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async deleteRecoveryCodes(userId: string): Promise<void> {
    await this.db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  }
}
