import type { Request } from 'express';
import { bcryptCostOf, type PasswordHasher } from '../crypto/password-hasher.js';
import { deviceCookieOf } from '../http/session-cookies.js';
import type { MetricHooks } from '../metrics/hooks.js';
import type { HashCostCensus } from '../passwords/hash-costs.js';
import type { BruteForceThrottle } from '../rate-limit/brute-force-throttle.js';
import type { UserRecord, UserRepository } from '../store/users.js';
import type { DeviceTokens } from './device-token.js';

export type PasswordCheckResult =
  /** `deviceToken`: a fresh device token of the user, for /login to set as its cookie. */
  | { outcome: 'verified'; user: UserRecord; deviceToken: string }
  | { outcome: 'invalid' }
  | { outcome: 'throttled'; retryAfterSeconds: number };

export interface PasswordCheckDeps {
  users: UserRepository;
  hasher: PasswordHasher;
  throttle: BruteForceThrottle;
  metrics: MetricHooks;
  /** Which cost the unknown-user dummy compare takes: that of most stored hashes. */
  hashCosts: HashCostCensus;
  devices: DeviceTokens;
  /** Told once per window when an account reaches ACCOUNT_MAX_FAILURES (for the audit trail). */
  onAccountLocked?: (username: string, request: Request | undefined, userId: string | undefined) => Promise<void>;
}

/** Who is trying a password: the address, the device cookie it sent, the request for the audit trail. */
export interface PasswordClient {
  ip: string | undefined;
  deviceToken?: string | undefined;
  request?: Request;
}

export function passwordClientOf(req: Request): PasswordClient {
  return { ip: req.ip, deviceToken: deviceCookieOf(req), request: req };
}

/**
 * The one way a password is checked — sign-in, Basic, the current password of a password
 * change — so none of them can skip the throttle: the attempt is counted before bcrypt runs,
 * and an unknown user, a wrong password and a disabled user cost the same and answer the same.
 */
export class PasswordCheck {
  constructor(private readonly deps: PasswordCheckDeps) {}

  async verify(username: string, password: string, client: PasswordClient): Promise<PasswordCheckResult> {
    const { users, hasher, throttle, hashCosts, devices } = this.deps;
    const clientIp = client.ip;
    // Only a well-signed token costs a lookup before the throttle decides.
    const deviceUserId = devices.userOf(client.deviceToken);
    let user = deviceUserId === undefined ? undefined : await users.findByUsername(username);
    const trustedDevice = user !== undefined && user.id === deviceUserId;
    const attempt = await throttle.begin(username, clientIp, { trustedDevice });
    if (attempt.blocked) {
      this.deps.metrics.refused('throttle');
      return { outcome: 'throttled', retryAfterSeconds: attempt.retryAfterSeconds };
    }
    let matches: boolean;
    try {
      user ??= await users.findByUsername(username);
      const dummyCost = user === undefined ? await hashCosts.majorityCost() : undefined;
      matches = await hasher.verify(password, user?.password_hash, dummyCost);
    } catch (error) {
      await throttle.abandon(attempt);
      throw error;
    }
    if (!matches || user === undefined || user.disabled) {
      const { accountLocked } = await throttle.fail(attempt);
      if (accountLocked) await this.deps.onAccountLocked?.(username, client.request, user?.id);
      return { outcome: 'invalid' };
    }
    await throttle.succeed(attempt);
    if (hasher.needsRehash(user.password_hash)) await this.rehash(user, password);
    return { outcome: 'verified', user, deviceToken: devices.issue(user.id) };
  }

  /**
   * The one moment the password is known: a hash of another cost (BCRYPT_COST changed) or an
   * older format is replaced. A failure here costs nothing but a retry at the next sign-in.
   */
  private async rehash(user: UserRecord, password: string): Promise<void> {
    const { users, hasher, hashCosts } = this.deps;
    try {
      const newHash = await hasher.hash(password);
      if (await users.replacePasswordHash(user.id, user.password_hash, newHash))
        hashCosts.moved(bcryptCostOf(user.password_hash), hasher.cost);
    } catch {
      // The sign-in itself succeeded; the old hash still verifies.
    }
  }
}
