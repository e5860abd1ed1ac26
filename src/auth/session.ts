import { createHmac } from 'node:crypto';
import { addMinutes, type Clock } from '../clock.js';
import { newId, newSecretToken, sha256Hex } from '../crypto/tokens.js';
import type { SessionRecord, SessionRepository } from '../store/sessions.js';
import type { UserRecord, UserRepository } from '../store/users.js';
import { type Authentication, authenticated, INVALID_CREDENTIAL, NO_CREDENTIAL } from './principal.js';

export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

export interface SessionDeps {
  users: UserRepository;
  sessions: SessionRepository;
  clock: Clock;
  policy: SessionPolicy;
}

/** Sliding the idle window costs a write; once a minute per session is enough. */
const TOUCH_INTERVAL_MS = 60_000;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function idleExpiry(record: SessionRecord, policy: SessionPolicy): Date {
  return addMinutes(new Date(record.last_seen_at), policy.idleMinutes);
}

/** A session is live until revoked, idle for too long, or past its absolute end. */
export function isLive(record: SessionRecord, now: Date, policy: SessionPolicy): boolean {
  return record.revoked_at === null && now < new Date(record.expires_at) && now < idleExpiry(record, policy);
}

export type SessionAuthenticator = (token: unknown) => Promise<Authentication>;

/** Cookie sessions: the signed cookie carries a random token; the store holds its hash and the truth. */
export function createSessionAuthenticator({ sessions, clock, policy }: SessionDeps): SessionAuthenticator {
  return async (token) => {
    if (token === undefined || token === null) return NO_CREDENTIAL;
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return INVALID_CREDENTIAL;
    const found = await sessions.findWithOwnerByTokenHash(sha256Hex(token));
    const now = clock.now();
    if (found === undefined || !isLive(found.record, now, policy)) return INVALID_CREDENTIAL;
    const { record, owner: user } = found;
    if (user.disabled) return INVALID_CREDENTIAL;
    if (now.getTime() - new Date(record.last_seen_at).getTime() >= TOUCH_INTERVAL_MS) {
      await sessions.touch(record.id, now);
      record.last_seen_at = now.toISOString();
    }
    return authenticated({ scheme: 'session', user, session: record });
  };
}

/**
 * The session's CSRF token, derived from its secret cookie token, so that `GET /me/session` can
 * answer it again after a reload while the store keeps only its hash. Who can compute it holds
 * the cookie already; the token itself reveals nothing of the cookie (HMAC under a 256-bit key).
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('gatehouse csrf token').digest('base64url');
}

export interface StartedSession {
  /** Goes into the signed cookie; only its hash is stored. */
  token: string;
  csrfToken: string;
  record: SessionRecord;
}

export interface SessionOrigin {
  userAgent: string | null;
  ip: string | null;
}

/** Starts a new session with fresh random secrets: nothing the client sent before is reused. */
export async function startSession(
  deps: SessionDeps,
  user: UserRecord,
  origin: SessionOrigin,
): Promise<StartedSession> {
  const token = newSecretToken();
  const csrfToken = csrfTokenFor(token);
  const now = deps.clock.now();
  const record = await deps.sessions.create({
    id: newId('ses'),
    tokenHash: sha256Hex(token),
    csrfTokenHash: sha256Hex(csrfToken),
    userId: user.id,
    now,
    expiresAt: addMinutes(now, deps.policy.absoluteHours * 60),
    userAgent: origin.userAgent?.slice(0, 512) ?? null,
    ip: origin.ip,
  });
  return { token, csrfToken, record };
}
