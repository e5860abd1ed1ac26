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

export class PasswordHasher {
  /** Made at once, so the first unknown username does not pay for an extra hash that others do not. */
  private readonly dummyHash: Promise<string>;

  constructor(
    readonly cost: number,
    private readonly engine: BcryptEngine = nativeBcrypt,
  ) {
    this.dummyHash = engine.hash('gatehouse-dummy-password', cost);
  }

  async hash(password: string): Promise<string> {
    return this.engine.hash(password, this.cost);
  }

  /**
   * Compares against the stored hash, or against a dummy hash of the same cost when there is
   * none, so an unknown username costs the same time as a wrong password.
   */
  async verify(password: string, storedHash: string | undefined): Promise<boolean> {
    const tooLong = Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES;
    const hash = storedHash ?? (await this.dummyHash);
    const matches = await this.engine.compare(password, hash);
    return matches && storedHash !== undefined && !tooLong;
  }
}
