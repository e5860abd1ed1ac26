import type { AuditLog, AuditOrigin } from '../audit/audit-log.js';
import { addMinutes, type Clock } from '../clock.js';
import { newId, newSecretToken, sha256Hex } from '../crypto/tokens.js';
import type { SessionRecord, SessionRepository } from '../store/sessions.js';
import type { Store } from '../store/store.js';
import type { UserRecord } from '../store/users.js';
import { csrfTokenFor } from './csrf-token.js';
import { endOf, idleCutoff, isLive, type SessionPolicy, touchIntervalMs } from './session-policy.js';

export interface SessionsDeps {
  repository: SessionRepository;
  clock: Clock;
  policy: SessionPolicy;
  audit: AuditLog;
}

/** Where a session is started from, as its owner will see it in the list. */
export interface SessionClient {
  userAgent: string | null;
  ip: string | null;
  /** The token of the cookie the client came with, if any: never reused, and ended when live. */
  previousToken?: unknown;
}

export interface StartedSession {
  /** Goes into the signed cookie; only its hash is stored. */
  token: string;
  csrfToken: string;
  record: SessionRecord;
}

/** A session that has just proved its password again. */
export type ConfirmedSession = SessionRecord & { reauthenticated_at: string };

export interface ValidSession {
  session: SessionRecord;
  user: UserRecord;
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** How long a sign-in may wait for its second factor: long enough to open an app and type six digits. */
export const PENDING_MINUTES = 5;
/** The contract's bound on one list; nobody has a hundred live sessions by honest use. */
const MAX_LISTED = 100;

/**
 * Every step of a cookie session's life: start, validate, list, revoke. The cookie itself is
 * the HTTP layer's: this module hands out the token to put in it and takes it back.
 */
export class Sessions {
  private readonly touchIntervalMs: number;

  constructor(private readonly deps: SessionsDeps) {
    this.touchIntervalMs = touchIntervalMs(deps.policy);
  }

  /** The same sessions over the repositories of a transaction, so a revocation lands with the change that caused it. */
  within(tx: Store): Sessions {
    return new Sessions({ ...this.deps, repository: tx.sessions });
  }

  /** Starts a new session with fresh random secrets: nothing the client sent before is reused. */
  async start(user: UserRecord, client: SessionClient): Promise<StartedSession> {
    return this.open(user, client, {});
  }

  /** As start, for a sign-in that proved a second factor (a passkey): sudo mode is open at once. */
  async startWithFactor(user: UserRecord, client: SessionClient): Promise<StartedSession> {
    return this.open(user, client, { factorVerified: true });
  }

  /**
   * Starts a pending sign-in for a user who proved the password and owes a second factor: a
   * session that validate() never accepts, good for PENDING_MINUTES and for nothing but
   * completePending().
   */
  async startPending(user: UserRecord, client: SessionClient): Promise<StartedSession> {
    return this.open(user, client, { pendingUntil: addMinutes(this.deps.clock.now(), PENDING_MINUTES) });
  }

  /** The live pending sign-in a cookie's token names, with its enabled owner; null for anything else. */
  async validatePending(token: string): Promise<ValidSession | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    const found = await this.deps.repository.findWithOwnerByTokenHash(sha256Hex(token));
    const now = this.deps.clock.now();
    if (found === undefined || found.owner.disabled || found.record.revoked_at !== null) return null;
    const pendingUntil = found.record.pending_until;
    if (pendingUntil === null || now >= new Date(pendingUntil)) return null;
    return { session: found.record, user: found.owner };
  }

  /**
   * The second factor was proved: the pending sign-in ends and a full session starts, marked as
   * having proved the factor now (sudo mode for accounts with one). Null when the pending sign-in
   * had already ended, so two completions racing with one pending cookie start one session.
   */
  async completePending(
    pending: SessionRecord,
    user: UserRecord,
    client: SessionClient,
  ): Promise<StartedSession | null> {
    if (!(await this.deps.repository.revoke(pending.id, this.deps.clock.now()))) return null;
    return this.open(user, { ...client, previousToken: undefined }, { factorVerified: true });
  }

  private async open(
    user: UserRecord,
    client: SessionClient,
    kind: { pendingUntil?: Date; factorVerified?: boolean },
  ): Promise<StartedSession> {
    const { repository, clock, policy } = this.deps;
    if (typeof client.previousToken === 'string') {
      const previous =
        (await this.validate(client.previousToken)) ?? (await this.validatePending(client.previousToken));
      if (previous !== null) await repository.revoke(previous.session.id, clock.now());
    }
    const token = newSecretToken();
    const csrfToken = csrfTokenFor(token);
    const now = clock.now();
    const record = await repository.create({
      id: newId('ses'),
      tokenHash: sha256Hex(token),
      csrfTokenHash: sha256Hex(csrfToken),
      userId: user.id,
      now,
      expiresAt: kind.pendingUntil ?? addMinutes(now, policy.absoluteHours * 60),
      userAgent: client.userAgent?.slice(0, 512) ?? null,
      ip: client.ip,
      pendingUntil: kind.pendingUntil,
      factorVerified: kind.factorVerified,
    });
    return { token, csrfToken, record };
  }

  /**
   * The live session a cookie's token names, with its enabled owner, in one round trip; null for
   * anything else. Sliding the idle window writes last_seen_at, at most once per touch interval.
   */
  async validate(token: string): Promise<ValidSession | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    const { repository, clock, policy } = this.deps;
    const found = await repository.findWithOwnerByTokenHash(sha256Hex(token));
    const now = clock.now();
    // A pending sign-in owes its second factor: it is no session to anything but validatePending.
    if (found === undefined || found.record.pending_until !== null) return null;
    if (!isLive(found.record, now, policy) || found.owner.disabled) return null;
    const { record, owner } = found;
    if (now.getTime() - new Date(record.last_seen_at).getTime() >= this.touchIntervalMs) {
      await repository.touch(record.id, now);
      record.last_seen_at = now.toISOString();
    }
    return { session: record, user: owner };
  }

  /** When the session ends unless it is used again. */
  expiry(record: SessionRecord): Date {
    return endOf(record, this.deps.policy);
  }

  /** The user's live sessions, newest first. */
  async list(userId: string): Promise<SessionRecord[]> {
    const now = this.deps.clock.now();
    return this.deps.repository.listLiveByUser(
      userId,
      { now, seenSince: idleCutoff(now, this.deps.policy.idleMinutes) },
      MAX_LISTED,
    );
  }

  /**
   * The session's CSRF token, answered again from its cookie token. Sessions started before
   * tokens were derived hold a random one that cannot be answered again: from now on they use
   * the derived one (the same on every call, so this is idempotent).
   */
  async csrfToken(record: SessionRecord, token: string): Promise<string> {
    const csrfToken = csrfTokenFor(token);
    const csrfTokenHash = sha256Hex(csrfToken);
    if (record.csrf_token_hash !== csrfTokenHash)
      await this.deps.repository.replaceCsrfTokenHash(record.id, record.csrf_token_hash, csrfTokenHash);
    return csrfToken;
  }

  /** Records that the session proved its password again (sudo mode); null when it was revoked meanwhile. */
  async confirmPassword(record: SessionRecord): Promise<ConfirmedSession | null> {
    const now = this.deps.clock.now();
    if (!(await this.deps.repository.markReauthenticated(record.id, now))) return null;
    return { ...record, reauthenticated_at: now.toISOString() };
  }

  /** As confirmPassword, for a confirmation that proved a second factor with the password. */
  async confirmPasswordAndFactor(record: SessionRecord): Promise<ConfirmedSession | null> {
    const now = this.deps.clock.now();
    if (!(await this.deps.repository.markReauthenticatedWithFactor(record.id, now))) return null;
    return { ...record, reauthenticated_at: now.toISOString(), factor_verified_at: now.toISOString() };
  }

  /** The session just proved a second factor (the first code that turned TOTP on). */
  async markFactorVerified(record: SessionRecord): Promise<void> {
    await this.deps.repository.markFactorVerified(record.id, this.deps.clock.now());
  }

  /** Sign-out: ends the caller's own session. */
  async signOut(record: SessionRecord, origin: AuditOrigin): Promise<void> {
    await this.deps.repository.revoke(record.id, this.deps.clock.now());
    await this.deps.audit.recordFrom(origin, {
      action: 'logout',
      outcome: 'success',
      subject: { type: 'session', id: record.id },
    });
  }

  /**
   * Sign-out with a pending sign-in's cookie: the half-finished sign-in ends and is audited as a
   * sign-out, so a copy of the cookie cannot finish it with a code afterwards. False when the
   * token names no live pending sign-in.
   */
  async signOutPending(token: string, origin: AuditOrigin): Promise<boolean> {
    const pending = await this.validatePending(token);
    if (pending === null) return false;
    await this.signOut(pending.session, origin);
    return true;
  }

  /**
   * Ends one live session of the user (a lost device); false when the user has no such live
   * session. revoke() is conditional, so of two concurrent calls only one answers true.
   */
  async revokeOwn(userId: string, sessionId: string, origin: AuditOrigin): Promise<boolean> {
    const now = this.deps.clock.now();
    const record = await this.deps.repository.findById(sessionId);
    const own = record !== undefined && record.user_id === userId && isLive(record, now, this.deps.policy);
    if (!own || !(await this.deps.repository.revoke(record.id, now))) return false;
    await this.deps.audit.recordFrom(origin, {
      action: 'session.revoked',
      outcome: 'success',
      subject: { type: 'session', id: record.id },
    });
    return true;
  }

  /** "Sign out everywhere": ends every session of the user; returns how many. */
  async signOutEverywhere(userId: string, origin: AuditOrigin): Promise<number> {
    const count = await this.revokeAllForUser(userId);
    await this.deps.audit.recordFrom(origin, {
      action: 'session.revoked',
      outcome: 'success',
      subject: { type: 'user', id: userId },
      detail: { scope: 'all', count },
    });
    return count;
  }

  /** Ends every session of the user but `except` (the caller's own), unaudited: the change that causes it is audited. */
  async revokeAllForUser(userId: string, options: { except?: string } = {}): Promise<number> {
    return this.deps.repository.revokeAllForUser(userId, this.deps.clock.now(), options);
  }
}
