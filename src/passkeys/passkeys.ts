import type { AuditLog, AuditOrigin } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import { newId } from '../crypto/tokens.js';
import { Conflict, InvalidInput } from '../errors/domain-errors.js';
import type { PasskeyRecord } from '../store/passkeys.js';
import type { Store } from '../store/store.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import type { UserRecord } from '../store/users.js';
import type { Ceremonies, CreationOptions, RegistrationResponseJSON } from './ceremonies.js';
import { type CeremonyStart, STALE_CHALLENGE, storeChallenge } from './challenges.js';

/** Enough for every device a person owns; a bound on what one account can store. */
export const MAX_PASSKEYS_PER_USER = 20;

export interface PasskeysDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
  ceremonies: Ceremonies;
}

export interface NewPasskeyRequest {
  challengeId: string;
  name: string;
  credential: RegistrationResponseJSON;
}

const TOO_MANY = `A user may have at most ${MAX_PASSKEYS_PER_USER} passkeys; delete one first`;

/**
 * A user's passkeys (WebAuthn): register one from a signed-in session, list, delete, reset.
 * Signing in with one is PasskeyAssertions'. A registration's challenge is stored and used up by
 * the first request that names it, so a replayed credential finds nothing to answer.
 */
export class Passkeys {
  constructor(private readonly deps: PasskeysDeps) {}

  /** How many passkeys the user holds (the second factor asks whether there are any). */
  countForUser(userId: string): Promise<number> {
    return this.deps.store.passkeys.countByUser(userId);
  }

  /** The user's passkeys, newest first. */
  list(userId: string): Promise<PasskeyRecord[]> {
    return this.deps.store.passkeys.listByUser(userId, MAX_PASSKEYS_PER_USER);
  }

  /** Starts a registration for the session `sessionId` of `user`; Conflict at the cap. */
  async registrationOptions(user: UserRecord, sessionId: string): Promise<CeremonyStart<CreationOptions>> {
    const existing = await this.list(user.id);
    if (existing.length >= MAX_PASSKEYS_PER_USER) throw new Conflict(TOO_MANY);
    const options = await this.deps.ceremonies.creationOptions(user, existing);
    const challengeId = await storeChallenge(this.deps.store, this.deps.clock, options.challenge, 'register', {
      userId: user.id,
      sessionId,
    });
    return { challengeId, options };
  }

  /**
   * Verifies the credential made from `registrationOptions` in the same session and keeps it.
   * InvalidInput for a stale challenge or a credential that does not verify; Conflict for one
   * registered already or at the cap.
   */
  async register(
    user: UserRecord,
    sessionId: string,
    request: NewPasskeyRequest,
    origin: AuditOrigin,
  ): Promise<PasskeyRecord> {
    const { store, clock, ceremonies } = this.deps;
    const now = clock.now();
    const challenge = await store.webauthnChallenges.consume(request.challengeId, {
      purpose: 'register',
      sessionId,
      now,
    });
    if (challenge === undefined || challenge.user_id !== user.id)
      throw new InvalidInput('challenge_id', STALE_CHALLENGE);
    let refusal = '';
    const verified = await ceremonies.verifyCreation(request.credential, challenge.challenge, (reason) => {
      refusal = reason;
    });
    if (verified === undefined) {
      await this.audit(origin, 'passkey.added', 'failure', user, undefined, { reason: refusal.slice(0, 200) });
      throw new InvalidInput('credential', 'The passkey could not be verified: create it again from new options');
    }
    const record = await store
      .transaction(async (tx) => {
        await tx.users.lockForUpdate(user.id);
        const held = await tx.passkeys.countByUser(user.id);
        if (held >= MAX_PASSKEYS_PER_USER) throw new Conflict(TOO_MANY);
        const firstFactor = held === 0 && (await tx.secondFactors.usersWithTotp([user.id])).size === 0;
        const created = await tx.passkeys.create({
          id: newId('pky'),
          userId: user.id,
          name: request.name,
          now,
          ...verified,
        });
        // A passkey is a second factor: the password alone no longer signs in, so cached Basic credentials must go.
        await tx.users.bumpCredentialVersion(user.id);
        // As when TOTP is turned on: the first factor ends every other session, each signed in
        // with the password alone (perhaps by whoever stole it), as a password change does.
        if (firstFactor) await tx.sessions.revokeAllForUser(user.id, now, { except: sessionId });
        return created;
      })
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? new Conflict('This passkey is registered already') : error;
      });
    await this.audit(origin, 'passkey.added', 'success', user, record.id, { name: record.name });
    return record;
  }

  /** Deletes one of the user's passkeys; false when the user has no such passkey. */
  async deleteOwn(user: UserRecord, id: string, origin: AuditOrigin): Promise<boolean> {
    const deleted = await this.deps.store.passkeys.deleteOwn(user.id, id);
    if (deleted === undefined) return false;
    await this.audit(origin, 'passkey.deleted', 'success', user, deleted.id, { name: deleted.name });
    return true;
  }

  /** An admin's reset: every passkey of the user goes; returns how many. */
  async resetForUser(user: UserRecord, origin: AuditOrigin): Promise<number> {
    const count = await this.deps.store.passkeys.deleteAllForUser(user.id);
    await this.deps.audit.recordFrom(origin, {
      action: 'passkey.reset',
      outcome: 'success',
      username: user.username,
      subject: { type: 'user', id: user.id },
      detail: { count },
    });
    return count;
  }

  private async audit(
    origin: AuditOrigin,
    action: 'passkey.added' | 'passkey.deleted',
    outcome: 'success' | 'failure',
    user: UserRecord,
    passkeyId: string | undefined,
    detail: Record<string, string>,
  ): Promise<void> {
    await this.deps.audit.recordFrom(origin, {
      action,
      outcome,
      username: user.username,
      subject: passkeyId === undefined ? { type: 'user', id: user.id } : { type: 'passkey', id: passkeyId },
      detail,
    });
  }
}
