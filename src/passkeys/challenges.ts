import { addMinutes, type Clock } from '../clock.js';
import { newId } from '../crypto/tokens.js';
import type { ChallengePurpose } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { CEREMONY_MS } from './ceremonies.js';

/** Options for the browser, and the id of the challenge they carry (sent back with the credential). */
export interface CeremonyStart<Options> {
  challengeId: string;
  options: Options;
}

/** Who a challenge is for: the user (when known) and the session that asked (when it must be the one to answer). */
export interface ChallengeOwner {
  userId: string | null;
  sessionId: string | null;
}

export const STALE_CHALLENGE = 'Unknown, expired or used challenge: ask for new options';

/** Stores a ceremony's challenge for CEREMONY_MS and answers its public id. */
export async function storeChallenge(
  store: Store,
  clock: Clock,
  challenge: string,
  purpose: ChallengePurpose,
  owner: ChallengeOwner,
): Promise<string> {
  const now = clock.now();
  // Each new challenge clears a few that ran out, so abandoned ceremonies cannot pile up.
  await store.webauthnChallenges.deleteExpired(now, 10);
  const id = newId('wch');
  await store.webauthnChallenges.create({
    id,
    challenge,
    userId: owner.userId,
    sessionId: owner.sessionId,
    purpose,
    expiresAt: addMinutes(now, CEREMONY_MS / 60_000),
  });
  return id;
}
