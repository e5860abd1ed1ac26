import type { components } from '../../generated/openapi.js';
import type { UserRecord } from '../store/users.js';

/** A user as the contract shows it: never the hash, never internal counters. */
export function userJson(user: UserRecord): components['schemas']['User'] {
  return { id: user.id, username: user.username, role: user.role };
}

/** A user as admins see them: still never the hash nor internal counters. */
export function userAccountJson(user: UserRecord): components['schemas']['UserAccount'] {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    disabled: user.disabled,
    created_at: user.created_at,
    updated_at: user.updated_at,
  };
}
