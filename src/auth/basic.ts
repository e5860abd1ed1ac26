import type { PasswordHasher } from '../crypto/password-hasher.js';
import type { BruteForceThrottle } from '../rate-limit/brute-force-throttle.js';
import { type UserRecord, type UserRepository, usernameKey } from '../store/users.js';
import type { VerifiedCredentialCache } from './basic-cache.js';
import { type BasicCredentials, claimsBasic, parseBasicCredentials } from './basic-credentials.js';
import { type Authentication, INVALID_CREDENTIAL, NO_CREDENTIAL, authenticated, throttled } from './principal.js';

export interface BasicAuthenticatorDeps {
  users: UserRepository;
  hasher: PasswordHasher;
  throttle: BruteForceThrottle;
  cache: VerifiedCredentialCache;
}

export type BasicAuthenticator = (authorization: string | undefined, clientIp: string | undefined) => Promise<Authentication>;

/**
 * HTTP Basic: a username and password checked against the stored bcrypt hash, behind the
 * brute-force throttle and in front of a short-lived cache of credentials already verified.
 */
export function createBasicAuthenticator({ users, hasher, throttle, cache }: BasicAuthenticatorDeps): BasicAuthenticator {
  /** A cache hit counts only while the user still exists, is enabled, has the same name and the same credential version. */
  const fromCache = async (key: string, credentials: BasicCredentials): Promise<UserRecord | undefined> => {
    const cached = cache.get(key);
    if (cached === undefined) return undefined;
    const user = await users.findById(cached.userId);
    const current =
      user !== undefined &&
      !user.disabled &&
      user.credential_version === cached.credentialVersion &&
      usernameKey(user.username) === usernameKey(credentials.username);
    if (current) return user;
    cache.delete(key);
    return undefined;
  };

  return async (authorization, clientIp) => {
    if (!claimsBasic(authorization)) return NO_CREDENTIAL;
    const credentials = parseBasicCredentials(authorization);
    if (credentials === undefined) return INVALID_CREDENTIAL;

    // Before the cache and bcrypt: a blocked pair is held back even with the right password.
    const verdict = await throttle.check(credentials.username, clientIp);
    if (verdict.blocked) return throttled(verdict.retryAfterSeconds);

    const key = cache.keyOf(credentials.username, credentials.password);
    const cachedUser = await fromCache(key, credentials);
    if (cachedUser !== undefined) return authenticated({ scheme: 'basic', user: cachedUser });

    const user = await users.findByUsername(credentials.username);
    const matches = await hasher.verify(credentials.password, user?.password_hash);
    if (!matches || user === undefined || user.disabled) {
      await throttle.recordFailure(credentials.username, clientIp);
      return INVALID_CREDENTIAL;
    }
    await throttle.recordSuccess(credentials.username, clientIp);
    cache.set(key, { userId: user.id, credentialVersion: user.credential_version });
    return authenticated({ scheme: 'basic', user });
  };
}
