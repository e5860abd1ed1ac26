import type { PasswordHasher } from '../crypto/password-hasher.js';
import type { UserRepository } from '../store/users.js';
import { claimsBasic, parseBasicCredentials } from './basic-credentials.js';
import { type Authentication, INVALID_CREDENTIAL, NO_CREDENTIAL, authenticated } from './principal.js';

export interface BasicAuthenticatorDeps {
  users: UserRepository;
  hasher: PasswordHasher;
}

export type BasicAuthenticator = (authorization: string | undefined) => Promise<Authentication>;

/** HTTP Basic: a username and password checked against the stored bcrypt hash on every request. */
export function createBasicAuthenticator({ users, hasher }: BasicAuthenticatorDeps): BasicAuthenticator {
  return async (authorization) => {
    if (!claimsBasic(authorization)) return NO_CREDENTIAL;
    const credentials = parseBasicCredentials(authorization);
    if (credentials === undefined) return INVALID_CREDENTIAL;
    const user = await users.findByUsername(credentials.username);
    const matches = await hasher.verify(credentials.password, user?.password_hash);
    if (!matches || user === undefined || user.disabled) return INVALID_CREDENTIAL;
    return authenticated({ scheme: 'basic', user });
  };
}
