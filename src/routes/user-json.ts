import type { components } from '../../generated/openapi.js';
import type { UserRecord } from '../store/users.js';

/** A user as the contract shows it: never the hash, never internal counters. */
export function userJson(user: UserRecord): components['schemas']['User'] {
  return { id: user.id, username: user.username, role: user.role };
}
