import type { AuditOrigin } from '../audit/audit-log.js';
import type { DeviceTokens } from '../auth/device-token.js';
import type { PasswordClient } from '../auth/password-check.js';
import type { BruteForceThrottle } from '../rate-limit/brute-force-throttle.js';
import type { UserRecord } from '../store/users.js';
import type { CodeProof, SecondFactors } from './second-factors.js';

export type CodeCheckResult =
  | { outcome: 'verified' }
  | { outcome: 'invalid' }
  | { outcome: 'throttled'; retryAfterSeconds: number };

export interface CodeCheckDeps {
  factors: SecondFactors;
  throttle: BruteForceThrottle;
  devices: DeviceTokens;
}

/**
 * The one way a second-factor code is checked — the second step of a sign-in, a step-up, turning
 * TOTP off — under the same brute-force throttle as passwords (per username and address, per
 * address, per account), counted before the code is looked at: a million-in-one guess needs a
 * million tries, and the throttle sees them coming before any of them is verified.
 */
export class CodeCheck {
  constructor(private readonly deps: CodeCheckDeps) {}

  async verify(
    user: UserRecord,
    proof: CodeProof,
    client: PasswordClient,
    origin: AuditOrigin,
  ): Promise<CodeCheckResult> {
    return this.underThrottle(user, client, () => this.deps.factors.verify(user, proof, origin));
  }

  /**
   * Any other proof of the second factor (a passkey's assertion) under the same throttle: it
   * cannot be guessed as a code can, but a stolen password must not buy unlimited tries at it.
   */
  async underThrottle(
    user: UserRecord,
    client: PasswordClient,
    check: () => Promise<boolean>,
  ): Promise<CodeCheckResult> {
    const { throttle, devices } = this.deps;
    const attempt = await throttle.begin(user.username, client.ip, {
      trustedDevice: devices.userOf(client.deviceToken) === user.id,
    });
    if (attempt.blocked) return { outcome: 'throttled', retryAfterSeconds: attempt.retryAfterSeconds };
    let good: boolean;
    try {
      good = await check();
    } catch (error) {
      await throttle.abandon(attempt);
      throw error;
    }
    if (!good) {
      await throttle.fail(attempt);
      return { outcome: 'invalid' };
    }
    await throttle.succeed(attempt);
    return { outcome: 'verified' };
  }
}

/** The code of a request body that carries `code` or `recovery_code` (the contract allows one); undefined for neither. */
export function codeProofOf(body: { code?: string; recovery_code?: string }): CodeProof | undefined {
  if (body.code !== undefined) return { kind: 'totp', code: body.code };
  if (body.recovery_code !== undefined) return { kind: 'recovery_code', code: body.recovery_code };
  return undefined;
}
