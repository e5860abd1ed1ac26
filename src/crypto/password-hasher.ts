import bcrypt from 'bcrypt';

/** bcrypt ignores every byte past the 72nd; longer passwords are refused rather than truncated. */
export const BCRYPT_MAX_BYTES = 72;

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
  ) {
    // Made at once, so the first unknown username does not pay for an extra hash that others do not.
    this.prepareDummy(cost);
  }

  async hash(password: string): Promise<string> {
    return this.engine.hash(password, this.cost);
  }

  /**
   * Compares against the stored hash, or, when there is none, against a dummy hash of
   * `dummyCost` (the cost most stored hashes have), so an unknown username costs the same
   * time as a wrong password.
   */
  async verify(password: string, storedHash: string | undefined, dummyCost: number = this.cost): Promise<boolean> {
    const tooLong = Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES;
    const hash = storedHash ?? (await this.prepareDummy(dummyCost));
    const matches = await this.engine.compare(password, hash);
    return matches && storedHash !== undefined && !tooLong;
  }

  /** A verified hash made with another cost than BCRYPT_COST is replaced at the next sign-in. */
  needsRehash(storedHash: string): boolean {
    return bcryptCostOf(storedHash) !== this.cost;
  }

  /** Makes the dummy hash of a cost ahead of its first use. */
  prepareDummy(cost: number): Promise<string> {
    let dummy = this.dummies.get(cost);
    if (dummy === undefined) {
      dummy = this.engine.hash('gatehouse-dummy-password', cost);
      this.dummies.set(cost, dummy);
    }
    return dummy;
  }
}
