import type { Principal } from '../auth/principal.js';
import { CONFIRM_PASSWORD_PATH, requireRecentPassword, SUDO_MINUTES, sudoExpiresAt } from '../auth/sudo-mode.js';
import { addMinutes, type Clock } from '../clock.js';
import { forbidden } from '../errors/api-error.js';
import type { SessionRecord } from '../store/sessions.js';
import type { FactorSummary, SecondFactors } from './second-factors.js';

/** Where a session of an account with passkeys steps up with one instead of password and code. */
export const CONFIRM_PASSKEY_PATH = '/me/session/confirm/passkey';

/** Whether the session proved a second factor within SUDO_MINUTES, as well as its password. */
export function factorSudoOpen(session: SessionRecord, now: Date): boolean {
  if (session.factor_verified_at === null) return false;
  return now < sudoExpiresAt(session) && now < addMinutes(new Date(session.factor_verified_at), SUDO_MINUTES);
}

/**
 * Sudo mode extended to the second factor. For a session of an account with a second factor,
 * sensitive actions need the password AND a code proved within SUDO_MINUTES (two-step sign-in,
 * or POST /me/session/confirm with a code, or a passkey at CONFIRM_PASSKEY_PATH); the password
 * alone, however recent, is not enough.
 * Basic never gets here for such an account (it is refused outright), and accounts without a
 * factor keep exactly the rules they had.
 */
export class StepUp {
  constructor(
    private readonly factors: SecondFactors,
    private readonly clock: Clock,
  ) {}

  /** Sudo mode for every session (minting a key); with a factor, the factor too. */
  async require(principal: Principal, action: string): Promise<void> {
    const now = this.clock.now();
    if (principal.scheme === 'session') {
      const factors = await this.factors.factorsOf(principal.user.id);
      if (factors.totp || factors.passkeys > 0) {
        this.requireFactor(principal.session, now, action, factors);
        return;
      }
    }
    requireRecentPassword(principal, now, action);
  }

  /** A fresh second factor from a session of an account that has one; nothing asked of anyone else. */
  async requireForFactorAccounts(principal: Principal, action: string): Promise<void> {
    if (principal.scheme !== 'session') return;
    const factors = await this.factors.factorsOf(principal.user.id);
    if (!factors.totp && factors.passkeys === 0) return;
    this.requireFactor(principal.session, this.clock.now(), action, factors);
  }

  private requireFactor(session: SessionRecord, now: Date, action: string, factors: FactorSummary): void {
    if (factorSudoOpen(session, now)) return;
    if (!factors.totp)
      throw forbidden(`Confirm with a passkey to ${action}: POST ${CONFIRM_PASSKEY_PATH} with a passkey, then retry`);
    const passkey = factors.passkeys > 0 ? `, or POST ${CONFIRM_PASSKEY_PATH} with a passkey` : '';
    throw forbidden(
      `Confirm your password and a second-factor code to ${action}: POST ${CONFIRM_PASSWORD_PATH} with password and code${passkey}, then retry`,
    );
  }
}
