import { createHash } from 'node:crypto';
import bcrypt from 'bcrypt';

/** bcrypt ignores every byte past the 72nd: the reason passwords are pre-hashed (see `prehash`). */
export const BCRYPT_MAX_BYTES = 72;

/**
 * Marks a hash of the pre-hashed password; a hash without it is plain bcrypt of the password as
 * typed (before pre-hashing), still verified and replaced at the next successful sign-in.
 */
export const PREHASHED = '$gh2$';

/** Passwords compare as the same text however they were composed (NFD from one keyboard, NFC from another). */
export function normalizePassword(password: string): string {
  return password.normalize('NFC');
}

/**
 * What bcrypt is given: base64 of SHA-256 of the NFC password. 44 ASCII bytes, so every
 * character of a password of any length and script counts, and no NUL byte (which would end
 * bcrypt's input early, as a raw digest could) ever reaches bcrypt.
 */
export function prehash(password: string): string {
  return createHash('sha256').update(normalizePassword(password), 'utf8').digest('base64');
}

/** The bcrypt primitive, injected so tests can count the work done instead of spying on a module. */
export interface BcryptEngine {
  hash(data: string, cost: number): Promise<string>;
  compare(data: string, hash: string): Promise<boolean>;
}

export const nativeBcrypt: BcryptEngine = {
  hash: (data, cost) => bcrypt.hash(data, cost),
  compare: (data, hash) => bcrypt.compare(data, hash),
};

/** The cost a bcrypt hash was made with (`$2b$12$…` → 12), wherever it sits in a stored hash. */
export function bcryptCostOf(hash: string): number | undefined {
  const match = /\$2[aby]\$(\d{2})\$/.exec(hash);
  return match === null ? undefined : Number(match[1]);
}

export class PasswordHasher {
  /** One dummy hash per cost, each made once, so unknown usernames cost what real hashes of that cost do. */
  private readonly dummies = new Map<number, Promise<string>>();

  constructor(
    readonly cost: number,
    private readonly engine: BcryptEngine = nativeBcrypt,
  ) {}

  async hash(password: string): Promise<string> {
    return PREHASHED + (await this.engine.hash(prehash(password), this.cost));
  }

  /**
   * Compares against the stored hash, or, when there is none, against a dummy hash of
   * `dummyCost` (the cost most stored hashes have), so an unknown username costs the same
   * time as a wrong password.
   */
  async verify(password: string, storedHash: string | undefined, dummyCost: number = this.cost): Promise<boolean> {
    if (storedHash === undefined) {
      await this.engine.compare(prehash(password), await this.prepareDummy(dummyCost));
      return false;
    }
    if (storedHash.startsWith(PREHASHED))
      return this.engine.compare(prehash(password), storedHash.slice(PREHASHED.length));
    // An older hash: bcrypt of the password exactly as it was typed, which it saw only 72 bytes of.
    const tooLong = Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES;
    return (await this.engine.compare(password, storedHash)) && !tooLong;
  }

  /** A verified hash of the older format, or of another cost than BCRYPT_COST, is replaced at the next sign-in. */
  needsRehash(storedHash: string): boolean {
    return !storedHash.startsWith(PREHASHED) || bcryptCostOf(storedHash) !== this.cost;
  }

  /**
   * Makes the dummy hash of a cost ahead of its first use. The app asks for BCRYPT_COST's when it is
   * built, so the first unknown username does not pay for a hash that others do not; a CLI command,
   * which never compares, does not wait for one.
   */
  prepareDummy(cost: number): Promise<string> {
    let dummy = this.dummies.get(cost);
    if (dummy === undefined) {
      dummy = this.engine.hash('gatehouse-dummy-password', cost);
      this.dummies.set(cost, dummy);
    }
    return dummy;
  }
}
