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

type Split<T extends OwnerColumns> = { record: Omit<T, keyof OwnerColumns>; owner: UserRecord };

/**
 * A function that splits the rows of one query into the credential's record and its owner. The
 * record's columns are read off the first row and copied by name from then on: an object rest
 * (`{ owner_id, ...record }`) took about 10 µs per row on the session path, a tenth of the store's share.
 */
export function ownerSplitter<T extends OwnerColumns>(): (row: T) => Split<T> {
  let recordColumns: string[] | undefined;
  return (row) => {
    recordColumns ??= Object.keys(row).filter((column) => !column.startsWith('owner_'));
    const record: Record<string, unknown> = {};
    for (const column of recordColumns) record[column] = (row as Record<string, unknown>)[column];
    const owner: UserRecord = {
      id: row.owner_id,
      username: row.owner_username,
      username_key: row.owner_username_key,
      password_hash: row.owner_password_hash,
      role: row.owner_role,
      disabled: row.owner_disabled !== 0,
      credential_version: row.owner_credential_version,
      created_at: row.owner_created_at,
      updated_at: row.owner_updated_at,
    };
    return { record: record as Omit<T, keyof OwnerColumns>, owner };
  };
}
