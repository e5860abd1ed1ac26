import type { Sessions } from '../sessions/sessions.js';
import { type Authentication, authenticated, INVALID_CREDENTIAL, NO_CREDENTIAL } from './principal.js';

export type SessionAuthenticator = (token: unknown) => Promise<Authentication>;

/** Cookie sessions: the signed cookie carries a random token; Sessions holds its hash and the truth. */
export function createSessionAuthenticator(sessions: Sessions): SessionAuthenticator {
  return async (token) => {
    if (token === undefined || token === null) return NO_CREDENTIAL;
    const found = typeof token === 'string' ? await sessions.validate(token) : null;
    if (found === null) return INVALID_CREDENTIAL;
    return authenticated({ scheme: 'session', user: found.user, session: found.session });
  };
}

/**
 * The same cookie on the operations that finish a two-step sign-in (`x-pending-sign-in` in the
 * contract): only a pending sign-in passes there, and a full session does not.
 */
export function createPendingSessionAuthenticator(sessions: Sessions): SessionAuthenticator {
  return async (token) => {
    if (token === undefined || token === null) return NO_CREDENTIAL;
    const found = typeof token === 'string' ? await sessions.validatePending(token) : null;
    if (found === null) return INVALID_CREDENTIAL;
    return authenticated({ scheme: 'session', user: found.user, session: found.session });
  };
}
