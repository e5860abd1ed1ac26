import type { AuditLog, AuditOrigin } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import { newId } from '../crypto/tokens.js';
import { Conflict, InvalidInput, NotFound } from '../errors/domain-errors.js';
import type { Store } from '../store/store.js';
import type { UserRecord } from '../store/users.js';
import { newRecoveryCode, RECOVERY_CODE_COUNT, recoveryCodeHash } from './recovery-codes.js';
import type { SecretBox } from './secret-box.js';
import { matchingStep, newTotpSecret, totpUri } from './totp-codes.js';

export interface SecondFactorsDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
  box: SecretBox;
}

/** Which second factors a user has, as admins and the sign-in see it. */
export interface FactorSummary {
  totp: boolean;
  passkeys: number;
}

/** A way to finish a sign-in or to step up. */
export type SignInMethod = 'totp' | 'recovery_code' | 'passkey';

/** A code the user typed: from the authenticator app, or one of the recovery codes. */
export type CodeProof = { kind: 'totp'; code: string } | { kind: 'recovery_code'; code: string };

export interface TotpEnrolment {
  secret: string;
  uri: string;
}

export const TOTP_ALREADY_ON = 'TOTP is already on: turn it off first (DELETE /me/totp)';
export const TOTP_NOT_ON = 'TOTP is not on';
export const NOTHING_TO_CONFIRM = 'No TOTP enrolment to confirm: POST /me/totp first';

/**
 * Every second factor of a user: TOTP (enrol, confirm, disable), recovery codes, and the one
 * question the rest of the service asks — does this user have one? Codes are single-use: a
 * TOTP step and a recovery code are each used up by one conditional UPDATE.
 */
export class SecondFactors {
  constructor(private readonly deps: SecondFactorsDeps) {}

  async factorsOf(userId: string): Promise<FactorSummary> {
    return (await this.factorsOfMany([userId])).get(userId) ?? { totp: false, passkeys: 0 };
  }

  /** The factors of a page of users, in one query per kind of factor. */
  async factorsOfMany(userIds: readonly string[]): Promise<Map<string, FactorSummary>> {
    const [withTotp, passkeys] = await Promise.all([
      this.deps.store.secondFactors.usersWithTotp(userIds),
      this.passkeyCounts(userIds),
    ]);
    return new Map(userIds.map((id) => [id, { totp: withTotp.has(id), passkeys: passkeys.get(id) ?? 0 }]));
  }

  async hasAny(userId: string): Promise<boolean> {
    const factors = await this.factorsOf(userId);
    return factors.totp || factors.passkeys > 0;
  }

  /** How the user can finish a sign-in that owes a second factor. */
  async methodsOf(userId: string): Promise<SignInMethod[]> {
    const factors = await this.factorsOf(userId);
    const methods: SignInMethod[] = [];
    if (factors.totp) methods.push('totp', 'recovery_code');
    if (factors.passkeys > 0) methods.push('passkey');
    return methods;
  }

  /** A new secret, not active until confirmed; replaces an unconfirmed one. */
  async startTotp(user: UserRecord, origin: AuditOrigin): Promise<TotpEnrolment> {
    const secret = newTotpSecret();
    const started = await this.deps.store.secondFactors.startTotp(user.id, this.deps.box.seal(secret), this.now());
    if (!started) throw new Conflict(TOTP_ALREADY_ON);
    await this.record(origin, user, 'totp.enrolment_started');
    return { secret, uri: totpUri(secret, user.username) };
  }

  /**
   * Turns TOTP on once a code proves the app holds the secret; answers the recovery codes, shown
   * once. Every other session of the user ends with it (as after a password change): a session
   * signed in with the password alone, perhaps by whoever made the user turn TOTP on, must not
   * outlive the factor that now guards the account. `keepSessionId` is the caller's own.
   */
  async confirmTotp(
    user: UserRecord,
    code: string,
    origin: AuditOrigin,
    options: { keepSessionId?: string } = {},
  ): Promise<string[]> {
    const factor = await this.deps.store.secondFactors.findTotp(user.id);
    if (factor === undefined) throw new Conflict(NOTHING_TO_CONFIRM);
    if (factor.confirmed_at !== null) throw new Conflict(TOTP_ALREADY_ON);
    const secret = this.deps.box.open(factor.secret);
    const step = secret === undefined ? undefined : matchingStep(secret, code, this.now());
    if (step === undefined) throw new InvalidInput('code', 'Code is not correct');
    const { codes, sessionsRevoked } = await this.deps.store.transaction(async (tx) => {
      if (!(await tx.secondFactors.confirmTotp(user.id, factor.secret, step, this.now())))
        throw new Conflict(NOTHING_TO_CONFIRM);
      // The password alone no longer signs this user in: cached Basic credentials must go.
      await tx.users.bumpCredentialVersion(user.id);
      const revoked = await tx.sessions.revokeAllForUser(user.id, this.now(), { except: options.keepSessionId });
      return { codes: await this.replaceRecoveryCodes(tx, user.id), sessionsRevoked: revoked };
    });
    await this.record(origin, user, 'totp.enabled', { sessions_revoked: sessionsRevoked });
    return codes;
  }

  /** Turns TOTP off and deletes the recovery codes; the caller has proved both factors. */
  async disableTotp(user: UserRecord, origin: AuditOrigin): Promise<void> {
    const removed = await this.deps.store.transaction(async (tx) => {
      const found = await tx.secondFactors.deleteTotp(user.id);
      await tx.secondFactors.deleteRecoveryCodes(user.id);
      return found;
    });
    if (!removed) throw new Conflict(TOTP_NOT_ON);
    await this.record(origin, user, 'totp.disabled');
  }

  /** Ten new recovery codes in place of the old ones. */
  async regenerateRecoveryCodes(user: UserRecord, origin: AuditOrigin): Promise<string[]> {
    if (!(await this.factorsOf(user.id)).totp) throw new Conflict(TOTP_NOT_ON);
    const codes = await this.deps.store.transaction((tx) => this.replaceRecoveryCodes(tx, user.id));
    await this.record(origin, user, 'recovery_codes.regenerated');
    return codes;
  }

  async recoveryCodesLeft(userId: string): Promise<number> {
    return this.deps.store.secondFactors.countUnusedRecoveryCodes(userId);
  }

  /**
   * Whether the code is good now, using it up when it is: a TOTP code's step (and every earlier
   * one) cannot be used again, nor can a recovery code. Each use of a recovery code is audited.
   */
  async verify(user: UserRecord, proof: CodeProof, origin: AuditOrigin): Promise<boolean> {
    const repository = this.deps.store.secondFactors;
    if (proof.kind === 'recovery_code') {
      const used = await repository.useRecoveryCode(user.id, recoveryCodeHash(proof.code), this.now());
      if (used) {
        const left = await repository.countUnusedRecoveryCodes(user.id);
        await this.record(origin, user, 'recovery_code.used', { remaining: left });
      }
      return used;
    }
    const factor = await repository.findTotp(user.id);
    if (factor === undefined || factor.confirmed_at === null) return false;
    const secret = this.deps.box.open(factor.secret);
    const step = secret === undefined ? undefined : matchingStep(secret, proof.code, this.now());
    return step !== undefined && (await repository.useTotpStep(user.id, step));
  }

  /** An admin's reset for a user who lost their device and codes: every second factor goes, passkeys too. */
  async reset(userId: string, origin: AuditOrigin): Promise<void> {
    const user = await this.deps.store.users.findById(userId);
    if (user === undefined) throw new NotFound('User not found');
    const removed = await this.deps.store.transaction(async (tx) => {
      const totp = await tx.secondFactors.deleteTotp(user.id);
      await tx.secondFactors.deleteRecoveryCodes(user.id);
      const passkeys = await tx.passkeys.deleteAllForUser(user.id);
      return { totp, passkeys };
    });
    const detail = removed.passkeys > 0 ? removed : { totp: removed.totp };
    await this.record(origin, user, 'second_factors.reset', detail);
  }

  /** Passkeys are a second factor: they sign in alone, and after a password they finish the sign-in. */
  private passkeyCounts(userIds: readonly string[]): Promise<Map<string, number>> {
    return this.deps.store.passkeys.countByUsers(userIds);
  }

  private async replaceRecoveryCodes(tx: Store, userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    const rows = codes.map((code) => ({ id: newId('rcv'), codeHash: recoveryCodeHash(code) }));
    await tx.secondFactors.replaceRecoveryCodes(userId, rows, this.now());
    return codes;
  }

  private now(): Date {
    return this.deps.clock.now();
  }

  private async record(
    origin: AuditOrigin,
    user: UserRecord,
    action:
      | 'totp.enrolment_started'
      | 'totp.enabled'
      | 'totp.disabled'
      | 'recovery_codes.regenerated'
      | 'recovery_code.used'
      | 'second_factors.reset',
    detail?: Record<string, string | number | boolean>,
  ): Promise<void> {
    await this.deps.audit.recordFrom(origin, {
      action,
      outcome: 'success',
      username: user.username,
      subject: { type: 'user', id: user.id },
      ...(detail === undefined ? {} : { detail }),
    });
  }
}
