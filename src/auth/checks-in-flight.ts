import { fnv1a } from '../crypto/fnv.js';

/** How many checks can be shared at once; one whose slot another check holds runs unshared. */
const SLOTS = 256;

/**
 * Password checks in progress, so that identical Basic credentials from one address arriving
 * together share one bcrypt compare (a client's parallel requests on a cold cache are then not
 * counted as many guesses). A fixed table rather than a Map: a long-lived Map that gains and loses
 * an entry on every request allocates a new hash table every few dozen requests, and once the Map
 * lives in the old generation V8 allocates each new table there too, garbage that only a full
 * collection frees. Here three arrays are made once, and each request writes a slot and clears it.
 *
 * A check's slot comes from the credentials' digest (a secret-prefix SHA-256, so evenly spread).
 * When the slot holds a check of other credentials, the newcomer simply runs on its own.
 */
export class ChecksInFlight<T> {
  private readonly digests: Array<string | undefined> = new Array<string | undefined>(SLOTS).fill(undefined);
  private readonly addresses: Array<string | undefined> = new Array<string | undefined>(SLOTS).fill(undefined);
  private readonly checks: Array<Promise<T> | undefined> = new Array<Promise<T> | undefined>(SLOTS).fill(undefined);

  /** The check in progress for this digest from this address, else the one `start` begins. */
  share(digest: string, address: string | undefined, start: () => Promise<T>): Promise<T> {
    const slot = slotOf(digest);
    const current = this.checks[slot];
    if (current !== undefined) {
      if (this.digests[slot] === digest && this.addresses[slot] === address) return current;
      return start();
    }
    const check = start();
    this.checks[slot] = check;
    this.digests[slot] = digest;
    this.addresses[slot] = address;
    // Only an empty slot is taken, so the slot still holds this check when it settles.
    const settle = (): void => {
      this.checks[slot] = undefined;
      this.digests[slot] = undefined;
      this.addresses[slot] = undefined;
    };
    check.then(settle, settle);
    return check;
  }
}

function slotOf(digest: string): number {
  return fnv1a(digest) & (SLOTS - 1);
}
