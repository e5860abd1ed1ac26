import type { Request } from 'express';
import type { BruteForceThrottle } from '../rate-limit/brute-force-throttle.js';
import type { CountedCaller } from '../rate-limit/client-rate-limit.js';
import { type UserRecord, type UserRepository, usernameKey } from '../store/users.js';
import type { VerifiedCredentialCache } from './basic-cache.js';
import { type BasicCredentials, claimsBasic, parseBasicCredentials } from './basic-credentials.js';
import { ChecksInFlight } from './checks-in-flight.js';
import type { DeviceTokens } from './device-token.js';
import type { PasswordCheck, PasswordCheckResult, PasswordClient } from './password-check.js';
import {
  type Authentication,
  authenticated,
  INVALID_CREDENTIAL,
  NO_CREDENTIAL,
  refused,
  refusedForSecondFactor,
  throttled,
} from './principal.js';

export interface BasicAuthenticatorDeps {
  users: UserRepository;
  passwords: PasswordCheck;
  throttle: BruteForceThrottle;
  cache: VerifiedCredentialCache;
  devices: DeviceTokens;
  /** Whether the user has a second factor, which Basic cannot carry: then the password alone is refused. */
  hasSecondFactor: (userId: string) => Promise<boolean>;
  /** Counts the request against the cached user while the throttle is read: one trip to Redis for both. */
  countAhead?: (request: Request, caller: CountedCaller) => void;
}

export type BasicAuthenticator = (authorization: string | undefined, client: PasswordClient) => Promise<Authentication>;

/**
 * HTTP Basic: a username and password checked against the stored bcrypt hash, behind the
 * brute-force throttle and in front of a short-lived cache of credentials already verified.
 */
export function createBasicAuthenticator({
  users,
  passwords,
  throttle,
  cache,
  devices,
  hasSecondFactor,
  countAhead,
}: BasicAuthenticatorDeps): BasicAuthenticator {
  const inFlight = new ChecksInFlight<PasswordCheckResult>();

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

  return async (authorization, client) => {
    const clientIp = client.ip;
    if (!claimsBasic(authorization)) return NO_CREDENTIAL;
    const credentials = parseBasicCredentials(authorization);
    if (credentials === undefined) return INVALID_CREDENTIAL;

    // A cached credential skips bcrypt, not the throttle: a blocked pair (or a locked account) is
    // held back even with the right password; only the cached account's own device token spares
    // it the account lock. On a miss the password check counts the attempt and decides there,
    // before bcrypt.
    const key = cache.keyOf(credentials.username, credentials.password);
    const cached = cache.get(key);
    if (cached !== undefined) {
      if (client.request !== undefined) countAhead?.(client.request, { user: { id: cached.userId } });
      const verdict = await throttle.check(credentials.username, clientIp, {
        trustedDevice: devices.userOf(client.deviceToken) === cached.userId,
      });
      if (verdict.blocked) return throttled(verdict.retryAfterSeconds);
      const cachedUser = await fromCache(key, credentials);
      if (cachedUser !== undefined) return authenticated({ scheme: 'basic', user: cachedUser });
    }

    const result = await inFlight.share(key, clientIp, () =>
      passwords.verify(credentials.username, credentials.password, client),
    );
    if (result.outcome === 'throttled') return throttled(result.retryAfterSeconds);
    if (result.outcome === 'invalid') return refused(credentials.username);
    // Never cached: turning a factor on bumps credential_version, which ends any entry made before.
    if (await hasSecondFactor(result.user.id)) return refusedForSecondFactor(credentials.username);
    cache.set(key, { userId: result.user.id, credentialVersion: result.user.credential_version });
    return authenticated({ scheme: 'basic', user: result.user });
  };
}
