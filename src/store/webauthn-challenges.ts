import type { Kysely, Selectable } from 'kysely';
import type { ChallengePurpose, Database, WebauthnChallengesTable } from './schema.js';

export type ChallengeRecord = Selectable<WebauthnChallengesTable>;

export interface NewChallenge {
  id: string;
  challenge: string;
  userId: string | null;
  sessionId: string | null;
  purpose: ChallengePurpose;
  expiresAt: Date;
}

/** What a challenge must match to be used up: its purpose, and for a registration its session. */
export interface ChallengeClaim {
  purpose: ChallengePurpose;
  sessionId: string | null;
  now: Date;
}

export class WebauthnChallengeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(challenge: NewChallenge): Promise<void> {
    await this.db
      .insertInto('webauthn_challenges')
      .values({
        id: challenge.id,
        challenge: challenge.challenge,
        user_id: challenge.userId,
        session_id: challenge.sessionId,
        purpose: challenge.purpose,
        expires_at: challenge.expiresAt.toISOString(),
      })
      .execute();
  }

  /**
   * Uses a challenge up: one conditional delete, so of two requests with the same challenge (a
   * replay) only one gets it back. A challenge that matched the id but not the claim is deleted
   * too (it was tried), and answers undefined like an unknown one.
   */
  async consume(id: string, claim: ChallengeClaim): Promise<ChallengeRecord | undefined> {
    const row = await this.db.deleteFrom('webauthn_challenges').where('id', '=', id).returningAll().executeTakeFirst();
    if (row === undefined) return undefined;
    const matches =
      row.purpose === claim.purpose && row.session_id === claim.sessionId && row.expires_at > claim.now.toISOString();
    return matches ? row : undefined;
  }

  /** Deletes at most `limit` challenges past their end; returns how many. */
  async deleteExpired(now: Date, limit: number): Promise<number> {
    const result = await this.db
      .deleteFrom('webauthn_challenges')
      .where('id', 'in', (eb) =>
        eb.selectFrom('webauthn_challenges').select('id').where('expires_at', '<=', now.toISOString()).limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
