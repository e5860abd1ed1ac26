import type { AuditLog, AuditOrigin } from '../audit/audit-log.js';
import { addMinutes, type Clock } from '../clock.js';
import { newId } from '../crypto/tokens.js';
import { Conflict, InvalidInput } from '../errors/domain-errors.js';
import type { PasskeyRecord } from '../store/passkeys.js';
import type { Store } from '../store/store.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import type { UserRecord } from '../store/users.js';
import {
  type AuthenticationResponseJSON,
  CEREMONY_MS,
  type Ceremonies,
  type CreationOptions,
  type RegistrationResponseJSON,
  type RequestOptions,
  userHandleOf,
} from './ceremonies.js';
import type { PasskeyThrottle } from './passkey-throttle.js';

/** Enough for every device a person owns; a bound on what one account can store. */
export const MAX_PASSKEYS_PER_USER = 20;

export interface PasskeysDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
  ceremonies: Ceremonies;
  throttle: PasskeyThrottle;
}

/** Options for the browser, and the id of the challenge they carry (sent back with the credential). */
export interface CeremonyStart<Options> {
  challengeId: string;
  options: Options;
}

export interface NewPasskeyRequest {
  challengeId: string;
  name: string;
  credential: RegistrationResponseJSON;
}

export type PasskeySignIn =
  | { outcome: 'verified'; user: UserRecord; passkey: PasskeyRecord }
  /** `reason` is for the audit trail only; `username` when the passkey was known. */
  | { outcome: 'invalid'; reason: string; username?: string }
  | { outcome: 'throttled'; retryAfterSeconds: number };

const TOO_MANY = `A user may have at most ${MAX_PASSKEYS_PER_USER} passkeys; delete one first`;
const STALE_CHALLENGE = 'Unknown, expired or used challenge: ask for new options';

/**
 * A user's passkeys (WebAuthn): register one from a signed-in session, sign in with one, list,
 * delete, reset. Every challenge is stored and used up by the first request that names it, so
 * a replayed credential finds nothing to answer.
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
    const challengeId = await this.storeChallenge(options.challenge, 'register', user.id, sessionId);
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
        if ((await tx.passkeys.countByUser(user.id)) >= MAX_PASSKEYS_PER_USER) throw new Conflict(TOO_MANY);
        return tx.passkeys.create({ id: newId('pky'), userId: user.id, name: request.name, now, ...verified });
      })
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? new Conflict('This passkey is registered already') : error;
      });
    await this.audit(origin, 'passkey.added', 'success', user, record.id, { name: record.name });
    return record;
  }

  /**
   * Starts a sign-in. Without `userId`, any discoverable passkey of this RP may answer (the
   * browser offers what it holds); with it (a second factor), only that user's passkeys.
   */
  async signInOptions(options: { userId?: string } = {}): Promise<CeremonyStart<RequestOptions>> {
    const allowed = options.userId === undefined ? [] : await this.list(options.userId);
    const requestOptions = await this.deps.ceremonies.requestOptions(allowed);
    const challengeId = await this.storeChallenge(
      requestOptions.challenge,
      'authenticate',
      options.userId ?? null,
      null,
    );
    return { challengeId, options: requestOptions };
  }

  /**
   * Checks an assertion made from `signInOptions`: the address's throttle first, then the
   * challenge (used up whatever follows), the passkey and its enabled owner, the signature, user
   * verification and counter, and last the counter's conditional update (of two racing uses,
   * one wins). Audits nothing: the caller knows what the sign-in was for.
   */
  async verifySignIn(
    challengeId: string,
    credential: AuthenticationResponseJSON,
    ip: string | undefined,
  ): Promise<PasskeySignIn> {
    const { throttle } = this.deps;
    const attempt = await throttle.begin(ip);
    if (attempt.blocked) return { outcome: 'throttled', retryAfterSeconds: attempt.retryAfterSeconds };
    let result: PasskeySignIn;
    try {
      result = await this.checkAssertion(challengeId, credential);
    } catch (error) {
      // An outage is nobody's failed attempt: it must not lock the address out afterwards.
      await throttle.release(attempt);
      throw error;
    }
    if (result.outcome === 'verified') await throttle.release(attempt);
    return result;
  }

  private async checkAssertion(challengeId: string, credential: AuthenticationResponseJSON): Promise<PasskeySignIn> {
    const { store, clock, ceremonies } = this.deps;
    const now = clock.now();
    const challenge = await store.webauthnChallenges.consume(challengeId, {
      purpose: 'authenticate',
      sessionId: null,
      now,
    });
    if (challenge === undefined) return { outcome: 'invalid', reason: 'stale_challenge' };
    const passkey = await store.passkeys.findByCredentialId(credential.id);
    if (passkey === undefined) return { outcome: 'invalid', reason: 'unknown_passkey' };
    const user = await store.users.findById(passkey.user_id);
    if (user === undefined) return { outcome: 'invalid', reason: 'unknown_passkey' };
    const invalid = (reason: string): PasskeySignIn => ({ outcome: 'invalid', reason, username: user.username });
    if (user.disabled) return invalid('user_disabled');
    if (challenge.user_id !== null && challenge.user_id !== user.id) return invalid('other_user');
    const handle = credential.response.userHandle;
    if (handle && handle !== Buffer.from(userHandleOf(user.id)).toString('base64url')) return invalid('user_handle');
    let refusal = '';
    const counter = await ceremonies.verifyAssertion(credential, challenge.challenge, passkey, (reason) => {
      refusal = reason;
    });
    if (counter === undefined) return invalid(refusal.slice(0, 200));
    if (!(await store.passkeys.recordUse(passkey.id, passkey.counter, counter, now))) return invalid('counter_race');
    return { outcome: 'verified', user, passkey };
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

  private async storeChallenge(
    challenge: string,
    purpose: 'register' | 'authenticate',
    userId: string | null,
    sessionId: string | null,
  ): Promise<string> {
    const { store, clock } = this.deps;
    const now = clock.now();
    // Each new challenge clears a few that ran out, so abandoned ceremonies cannot pile up.
    await store.webauthnChallenges.deleteExpired(now, 10);
    const id = newId('wch');
    await store.webauthnChallenges.create({
      id,
      challenge,
      userId,
      sessionId,
      purpose,
      expiresAt: addMinutes(now, CEREMONY_MS / 60_000),
    });
    return id;
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
