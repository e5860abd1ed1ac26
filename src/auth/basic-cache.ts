import { hash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { normalizePassword } from '../crypto/password-hasher.js';

export interface BasicCachePolicy {
  /** How long a verified credential is remembered; 0 turns the cache off. */
  ttlSeconds: number;
  maxEntries: number;
}

/** What a verified username and password stood for when they were checked. */
export interface VerifiedCredential {
  userId: string;
  /** users.credential_version then; a hit counts only while the stored version still matches. */
  credentialVersion: number;
}

interface Entry extends VerifiedCredential {
  expiresAtMs: number;
}

/**
 * A short-lived, bounded memory of Basic credentials that bcrypt has already verified, so Basic
 * on every request does not cost a bcrypt compare each time. Keys are a SHA-256 of a secret that
 * lives only in this process followed by the username and password: the cache never holds a
 * password or anything an attacker could test guesses against offline. (A secret-prefix hash
 * stands in for an HMAC because its output never leaves the process, so there is no digest to
 * extend; crypto.hash is one call, about a third of an HMAC's cost on every Basic request.)
 * Failed credentials are never stored. Callers must check the user's current credential_version
 * on every hit, which is what makes a password change, disable or delete on any instance take
 * effect at once.
 */
export class VerifiedCredentialCache {
  private readonly entries = new Map<string, Entry>();
  private readonly secret = randomBytes(32).toString('base64');

  constructor(
    private readonly policy: BasicCachePolicy,
    private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return this.policy.ttlSeconds > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  keyOf(username: string, password: string): string {
    // Normalised as the hasher compares them, so an NFD and an NFC typing share one entry.
    // JSON keeps the pair unambiguous: ("a:b", "c") and ("a", "b:c") get different keys.
    return hash(
      'sha256',
      `${this.secret}${JSON.stringify([username.normalize('NFC'), normalizePassword(password)])}`,
      'base64url',
    );
  }

  get(key: string): VerifiedCredential | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (this.clock.now().getTime() >= entry.expiresAtMs) {
      this.entries.delete(key);
      return undefined;
    }
    return { userId: entry.userId, credentialVersion: entry.credentialVersion };
  }

  set(key: string, credential: VerifiedCredential): void {
    if (!this.enabled) return;
    this.entries.delete(key);
    // A Map iterates in insertion order: the first key is the oldest entry, evicted when full.
    while (this.entries.size >= this.policy.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { ...credential, expiresAtMs: this.clock.now().getTime() + this.policy.ttlSeconds * 1000 });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
