import { addMinutes } from '../clock.js';
import { forbidden } from '../errors/api-error.js';
import type { SessionRecord } from '../store/sessions.js';
import type { Principal } from './principal.js';

/**
 * How long after proving its password a session may take sensitive actions (GitHub's "sudo
 * mode"). Short, so a stolen cookie cannot mint a key that outlives the victim's password change.
 */
export const SUDO_MINUTES = 10;

export const CONFIRM_PASSWORD_PATH = '/me/session/confirm';

/** The session's last proof of the password: its sign-in, or its latest confirmation. */
export function passwordProvedAt(session: SessionRecord): Date {
  const signedIn = new Date(session.created_at);
  if (session.reauthenticated_at === null) return signedIn;
  const confirmed = new Date(session.reauthenticated_at);
  return confirmed > signedIn ? confirmed : signedIn;
}

export function sudoExpiresAt(session: SessionRecord): Date {
  return addMinutes(passwordProvedAt(session), SUDO_MINUTES);
}

/**
 * Refuses a session whose password proof is older than SUDO_MINUTES; `action` completes
 * "Confirm your password to …". Basic sends the password with the request, so it passes, as an
 * API key does where the contract lets one in.
 */
export function requireRecentPassword(principal: Principal, now: Date, action: string): void {
  if (principal.scheme !== 'session' || now < sudoExpiresAt(principal.session)) return;
  throw forbidden(`Confirm your password to ${action}: POST ${CONFIRM_PASSWORD_PATH}, then retry`);
}
