import type { ColumnType } from 'kysely';

/** Table shapes for kysely. Timestamps are ISO-8601 UTC strings, flags are 0/1: both read the same on SQLite and PostgreSQL. */
export type Role = 'user' | 'admin';
export type Permission = 'read' | 'write';

export interface UsersTable {
  id: string;
  username: string;
  /** The username lower-cased: the unique key, so names differ by more than case. */
  username_key: string;
  password_hash: string;
  role: Role;
  disabled: number;
  /** Bumped by a password change, disable or delete; cached Basic credentials must match it. */
  credential_version: number;
  created_at: string;
  updated_at: string;
}

export interface ApiKeysTable {
  id: string;
  user_id: string;
  name: string;
  /** The first characters of the key, enough to recognise it in a list. */
  prefix: string;
  /** SHA-256 (hex) of the whole key; the key itself is never stored. */
  key_hash: string;
  /** Comma list of permissions, e.g. "read,write". */
  permissions: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SessionsTable {
  /** Public id, safe to list; the cookie holds a different, secret token. */
  id: string;
  /** SHA-256 (hex) of the cookie's token. */
  token_hash: string;
  user_id: string;
  /** SHA-256 (hex) of the session's CSRF token. */
  csrf_token_hash: string;
  created_at: string;
  last_seen_at: string;
  /** Absolute end of the session; the idle end is last_seen_at plus the idle timeout. */
  expires_at: string;
  revoked_at: string | null;
  /** When the session last confirmed its password (POST /me/session/confirm); null: only at sign-in. */
  reauthenticated_at: string | null;
  /**
   * Set while the session is only half signed in (the password was right, a second factor is
   * still owed) and until when; such a session is accepted by nothing but the second step.
   */
  pending_until: string | null;
  /** When the session last proved a second factor (two-step sign-in, confirmation with a code); null: never. */
  factor_verified_at: string | null;
  user_agent: string | null;
  ip: string | null;
}

export interface TotpFactorsTable {
  /** One TOTP factor per user. */
  user_id: string;
  /** The base32 secret, encrypted under a key derived from SESSION_KEYS (see secret-box.ts). */
  secret: string;
  created_at: string;
  /** Null until a first code confirms the enrolment: only a confirmed factor counts. */
  confirmed_at: string | null;
  /** The last time step a code was accepted for: a code of that step or an earlier one is refused. */
  last_used_step: number | null;
}

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  /** SHA-256 (hex) of the normalised code; the code itself is shown once and never stored. */
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

export type AuditOutcome = 'success' | 'failure';

export interface AuditEventsTable {
  id: string;
  occurred_at: string;
  /** What happened, e.g. `login.failed`, `api_key.created` (see AuditAction). */
  action: string;
  outcome: AuditOutcome;
  /** The user who acted, when known. */
  actor_user_id: string | null;
  actor_scheme: string | null;
  /** The username a sign-in tried, known or not; never a password. */
  username: string | null;
  subject_type: string | null;
  subject_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  /** JSON object of non-secret facts. */
  detail: string | null;
}

export interface PasskeysTable {
  /** Public id (`pky_…`), safe to list. */
  id: string;
  user_id: string;
  /** The authenticator's credential id, base64url: how an assertion names its passkey. */
  credential_id: string;
  /** The COSE public key, base64url. Not a secret, but never answered. */
  public_key: string;
  /**
   * The authenticator's signature counter at its last use; 0 when it keeps none. A bigint (it is
   * a uint32), which PostgreSQL answers as a string: the repository reads it through Number().
   */
  counter: ColumnType<number | string, number, number>;
  /** Comma list of transports (`internal,hybrid`); empty when the browser named none. */
  transports: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

/**
 * What a challenge was issued for: a registration, a sign-in with a passkey alone, the second
 * step of a sign-in (bound to the pending sign-in), or a step-up (bound to the session). A
 * challenge answers only its own purpose, so none of them stands in for another.
 */
export type ChallengePurpose = 'register' | 'authenticate' | 'second_factor' | 'step_up';

export interface WebauthnChallengesTable {
  /** Public id (`wch_…`) the client sends back with its credential. */
  id: string;
  /** The base64url challenge the credential must have signed. */
  challenge: string;
  /** Whose ceremony it is; null for a sign-in with a passkey alone, where nobody is known yet. */
  user_id: string | null;
  /** The session that asked (a registration, a second step, a step-up), so another cannot use it. */
  session_id: string | null;
  purpose: ChallengePurpose;
  expires_at: string;
}

export interface Database {
  users: UsersTable;
  api_keys: ApiKeysTable;
  sessions: SessionsTable;
  audit_events: AuditEventsTable;
  totp_factors: TotpFactorsTable;
  recovery_codes: RecoveryCodesTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
}
