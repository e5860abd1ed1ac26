import type { UserRecord, UserRow } from './users.js';

/**
 * The owning user's columns, selected beside a session's or an API key's in one query, under
 * `owner_` names so they cannot collide with the credential's own. Authenticating a session or
 * a key needs both rows; one join instead of two reads halves the round trips to PostgreSQL.
 */
export const OWNER_COLUMNS = [
  'users.id as owner_id',
  'users.username as owner_username',
  'users.username_key as owner_username_key',
  'users.password_hash as owner_password_hash',
  'users.role as owner_role',
  'users.disabled as owner_disabled',
  'users.credential_version as owner_credential_version',
  'users.created_at as owner_created_at',
  'users.updated_at as owner_updated_at',
] as const;

export type OwnerColumns = { [K in keyof UserRow as `owner_${K}`]: UserRow[K] };

/** Splits a joined row into the credential's record and its owner. */
export function splitOwner<T extends OwnerColumns>(row: T): { record: Omit<T, keyof OwnerColumns>; owner: UserRecord } {
  const {
    owner_id,
    owner_username,
    owner_username_key,
    owner_password_hash,
    owner_role,
    owner_disabled,
    owner_credential_version,
    owner_created_at,
    owner_updated_at,
    ...record
  } = row;
  const owner: UserRecord = {
    id: owner_id,
    username: owner_username,
    username_key: owner_username_key,
    password_hash: owner_password_hash,
    role: owner_role,
    disabled: owner_disabled !== 0,
    credential_version: owner_credential_version,
    created_at: owner_created_at,
    updated_at: owner_updated_at,
  };
  return { record, owner };
}
