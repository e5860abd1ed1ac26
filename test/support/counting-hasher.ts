import { type BcryptEngine, bcryptCostOf, nativeBcrypt, PasswordHasher } from '../../src/crypto/password-hasher.js';

/**
 * The real hasher over real bcrypt, counting the work: the cost of each compare and of each
 * hash made, so tests prove equal work and skipped work without spying on the bcrypt module.
 */
export class CountingHasher extends PasswordHasher {
  /** The cost of the hash each compare ran against, in order. */
  readonly compares: number[];
  /** The cost of each hash made, in order (the dummy hashes made at start included). */
  readonly hashes: number[];

  /** While set, every compare (counted at once) waits for it before bcrypt runs. */
  private readonly held: { until?: Promise<void> };

  constructor(cost: number) {
    const compares: number[] = [];
    const hashes: number[] = [];
    const held: { until?: Promise<void> } = {};
    const counting: BcryptEngine = {
      hash: (data, hashCost) => {
        hashes.push(hashCost);
        return nativeBcrypt.hash(data, hashCost);
      },
      compare: async (data, hash) => {
        compares.push(bcryptCostOf(hash) ?? Number.NaN);
        await held.until;
        return nativeBcrypt.compare(data, hash);
      },
    };
    super(cost, counting);
    this.compares = compares;
    this.hashes = hashes;
    this.held = held;
  }

  /** Holds every compare until the returned function is called, so requests can arrive while one is in progress. */
  holdCompares(): () => void {
    let release = (): void => {};
    this.held.until = new Promise((resolve) => {
      release = resolve;
    });
    return () => {
      this.held.until = undefined;
      release();
    };
  }

  /** Forgets what was counted so far. */
  reset(): void {
    this.compares.length = 0;
    this.hashes.length = 0;
  }

  /** The work one action does: what it compared and hashed, counted from a clean slate. */
  async workOf(action: () => Promise<unknown>): Promise<{ compares: number[]; hashes: number[] }> {
    this.reset();
    await action();
    return { compares: [...this.compares], hashes: [...this.hashes] };
  }
}
