import type { components } from '../../generated/openapi.js';
import type { FactorSummary } from '../second-factor/second-factors.js';
import type { UserRecord } from '../store/users.js';

/** A user as the contract shows it: never the hash, never internal counters. */
export function userJson(user: UserRecord): components['schemas']['User'] {
  return { id: user.id, username: user.username, role: user.role };
}

/** A user as admins see them, with which second factors they have: still never the hash nor internal counters. */
export function userAccountJson(user: UserRecord, factors: FactorSummary): components['schemas']['UserAccount'] {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    disabled: user.disabled,
    created_at: user.created_at,
    updated_at: user.updated_at,
    second_factors: { totp: factors.totp, passkeys: factors.passkeys },
  };
}
