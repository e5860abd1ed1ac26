import type { Clock } from '../clock.js';
import type { PasskeyRecord } from '../store/passkeys.js';
import type { ChallengePurpose } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { UserRecord } from '../store/users.js';
import { type AuthenticationResponseJSON, type Ceremonies, type RequestOptions, userHandleOf } from './ceremonies.js';
import { type CeremonyStart, storeChallenge } from './challenges.js';
import type { PasskeyThrottle } from './passkey-throttle.js';
import { MAX_PASSKEYS_PER_USER } from './passkeys.js';

export interface PasskeyAssertionsDeps {
  store: Store;
  clock: Clock;
  ceremonies: Ceremonies;
  throttle: PasskeyThrottle;
}

/** A passkey proving a user who is known already: the second step of a sign-in, or a step-up. */
export type FactorPurpose = 'second_factor' | 'step_up';

/** `reason` is for the audit trail only. */
export type PasskeyCheck =
  | { outcome: 'verified'; user: UserRecord; passkey: PasskeyRecord }
  | { outcome: 'invalid'; reason: string; username?: string };

export type PasskeySignIn = PasskeyCheck | { outcome: 'throttled'; retryAfterSeconds: number };

/** What a challenge must have been issued for, and to whom, for an assertion of it to count. */
interface Expected {
  purpose: ChallengePurpose;
  sessionId: string | null;
  /** The user who must own the passkey; any enabled user for a sign-in with a passkey alone. */
  user?: UserRecord;
}

/**
 * Proving who you are with a passkey (WebAuthn assertions): alone, with a discoverable passkey,
 * or as the second factor of a user known already, whose challenge is bound to the session that
 * asked for it. Every challenge is used up by the first request that names it, whatever follows,
 * so a replayed assertion finds nothing to answer.
 */
export class PasskeyAssertions {
  constructor(private readonly deps: PasskeyAssertionsDeps) {}

  /** Starts a sign-in with a passkey alone: any discoverable passkey of this RP may answer. */
  async signInOptions(): Promise<CeremonyStart<RequestOptions>> {
    const options = await this.deps.ceremonies.requestOptions([]);
    const owner = { userId: null, sessionId: null };
    return { challengeId: await this.challenge(options.challenge, 'authenticate', owner), options };
  }

  /**
   * Starts a passkey proof for `user`, to be answered by the session `sessionId` alone: only the
   * user's own passkeys are allowed. Undefined when the user has none.
   */
  async factorOptions(
    user: UserRecord,
    sessionId: string,
    purpose: FactorPurpose,
  ): Promise<CeremonyStart<RequestOptions> | undefined> {
    const allowed = await this.deps.store.passkeys.listByUser(user.id, MAX_PASSKEYS_PER_USER);
    if (allowed.length === 0) return undefined;
    const options = await this.deps.ceremonies.requestOptions(allowed);
    const owner = { userId: user.id, sessionId };
    return { challengeId: await this.challenge(options.challenge, purpose, owner), options };
  }

  /**
   * Checks an assertion made from `signInOptions`: the address's throttle first, then the
   * assertion. Audits nothing: the caller knows what the sign-in was for.
   */
  async verifySignIn(
    challengeId: string,
    credential: AuthenticationResponseJSON,
    ip: string | undefined,
  ): Promise<PasskeySignIn> {
    const { throttle } = this.deps;
    const attempt = await throttle.begin(ip);
    if (attempt.blocked) return { outcome: 'throttled', retryAfterSeconds: attempt.retryAfterSeconds };
    let result: PasskeyCheck;
    try {
      result = await this.check(challengeId, credential, { purpose: 'authenticate', sessionId: null });
    } catch (error) {
      // An outage is nobody's failed attempt: it must not lock the address out afterwards.
      await throttle.release(attempt);
      throw error;
    }
    if (result.outcome === 'verified') await throttle.release(attempt);
    return result;
  }

  /**
   * Checks an assertion made from `factorOptions` for the same user, purpose and session. No
   * throttle here: the caller counts it under the code throttle, as a guessed code would be.
   */
  verifyFactor(
    user: UserRecord,
    sessionId: string,
    purpose: FactorPurpose,
    challengeId: string,
    credential: AuthenticationResponseJSON,
  ): Promise<PasskeyCheck> {
    return this.check(challengeId, credential, { purpose, sessionId, user });
  }

  /**
   * The challenge (used up whatever follows), the passkey and its enabled owner, the signature,
   * user verification and counter, and last the counter's conditional update (of two racing uses,
   * one wins).
   */
  private async check(
    challengeId: string,
    credential: AuthenticationResponseJSON,
    expected: Expected,
  ): Promise<PasskeyCheck> {
    const { store, clock, ceremonies } = this.deps;
    const now = clock.now();
    const claim = { purpose: expected.purpose, sessionId: expected.sessionId, now };
    const challenge = await store.webauthnChallenges.consume(challengeId, claim);
    if (challenge === undefined) return { outcome: 'invalid', reason: 'stale_challenge' };
    const passkey = await store.passkeys.findByCredentialId(credential.id);
    if (passkey === undefined) return { outcome: 'invalid', reason: 'unknown_passkey' };
    const user = await store.users.findById(passkey.user_id);
    if (user === undefined) return { outcome: 'invalid', reason: 'unknown_passkey' };
    const invalid = (reason: string): PasskeyCheck => ({ outcome: 'invalid', reason, username: user.username });
    if (user.disabled) return invalid('user_disabled');
    if (expected.user !== undefined && expected.user.id !== user.id) return invalid('other_user');
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

  private challenge(
    challenge: string,
    purpose: ChallengePurpose,
    owner: { userId: string | null; sessionId: string | null },
  ): Promise<string> {
    return storeChallenge(this.deps.store, this.deps.clock, challenge, purpose, owner);
  }
}
