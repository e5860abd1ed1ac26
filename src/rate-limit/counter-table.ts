import { randomInt } from 'node:crypto';

/** Entries the table makes room for at first; it doubles from there up to its capacity. */
const INITIAL_ROOM = 1024;
/** What find and oldest answer when there is no such entry. */
export const NO_ENTRY = -1;

/**
 * A number and an expiry per key for up to `capacity` keys, oldest first, held in typed arrays
 * outside the JavaScript heap: no string, object or boxed number per key. A memory counter's keys
 * come from the outside (addresses, hashed usernames), and a Map of them grew the heap by about
 * 130 bytes a key, which V8 then sized its heap to several times over; here a key costs 40 bytes
 * of arrays that stop growing at the capacity.
 *
 * A key is kept as its fingerprint, two 32-bit hashes seeded at random when the table is made, not
 * as text. Two keys with the same fingerprint would share an entry; among 100,000 keys the odds
 * that any two do are about 1 in 4 × 10⁹, and the seeds keep anyone from choosing such keys.
 *
 * Entries are numbered; the numbers are found through an open-addressing index (linear probing,
 * deletion by backward shift, so no tombstones) and chained oldest to newest for eviction.
 */
export class CounterTable {
  private readonly seedA = randomInt(0x7fffffff);
  private readonly seedB = randomInt(0x7fffffff);
  private room: number;
  private hashA: Int32Array;
  private hashB: Int32Array;
  private values: Float64Array;
  private expiries: Float64Array;
  /** The next newer entry, or the next free one for entries not in use. */
  private newer: Int32Array;
  private older: Int32Array;
  /** Entry number + 1 per slot; 0 is an empty slot. Twice the room, a power of two. */
  private index: Int32Array;
  private oldestEntry = NO_ENTRY;
  private newestEntry = NO_ENTRY;
  private freeEntry = NO_ENTRY;
  private unused = 0;
  private held = 0;
  private foundA = 0;
  private foundB = 0;

  constructor(readonly capacity: number) {
    this.room = Math.min(capacity, INITIAL_ROOM);
    this.hashA = new Int32Array(this.room);
    this.hashB = new Int32Array(this.room);
    this.values = new Float64Array(this.room);
    this.expiries = new Float64Array(this.room);
    this.newer = new Int32Array(this.room);
    this.older = new Int32Array(this.room);
    this.index = new Int32Array(indexSlotsFor(this.room));
  }

  get size(): number {
    return this.held;
  }

  /** The entry of the key, or -1. */
  find(key: string): number {
    this.fingerprint(key);
    const mask = this.index.length - 1;
    for (let slot = this.foundA & mask; ; slot = (slot + 1) & mask) {
      const entry = at(this.index, slot) - 1;
      if (entry === NO_ENTRY) return NO_ENTRY;
      if (at(this.hashA, entry) === this.foundA && at(this.hashB, entry) === this.foundB) return entry;
    }
  }

  /** The oldest entry, or -1 when the table is empty. */
  get oldest(): number {
    return this.oldestEntry;
  }

  value(entry: number): number {
    return at(this.values, entry);
  }

  expiresAt(entry: number): number {
    return at(this.expiries, entry);
  }

  setValue(entry: number, value: number): void {
    this.values[entry] = value;
  }

  /**
   * Adds the key, which must not be held, as the newest entry. The caller makes room first: the
   * table holds at most `capacity` entries.
   */
  insert(key: string, value: number, expiresAt: number): number {
    if (this.held >= this.capacity) throw new Error('CounterTable is full: remove an entry first');
    if (this.held === this.room) this.grow();
    this.fingerprint(key);
    const entry = this.takeEntry();
    this.hashA[entry] = this.foundA;
    this.hashB[entry] = this.foundB;
    this.values[entry] = value;
    this.expiries[entry] = expiresAt;
    this.older[entry] = this.newestEntry;
    this.newer[entry] = NO_ENTRY;
    if (this.newestEntry === NO_ENTRY) this.oldestEntry = entry;
    else this.newer[this.newestEntry] = entry;
    this.newestEntry = entry;
    this.placeInIndex(entry);
    this.held++;
    return entry;
  }

  remove(entry: number): void {
    this.removeFromIndex(entry);
    const older = at(this.older, entry);
    const newer = at(this.newer, entry);
    if (older === NO_ENTRY) this.oldestEntry = newer;
    else this.newer[older] = newer;
    if (newer === NO_ENTRY) this.newestEntry = older;
    else this.older[newer] = older;
    this.newer[entry] = this.freeEntry;
    this.freeEntry = entry;
    this.held--;
  }

  /** Sets foundA and foundB to the key's fingerprint; foundA is also its home in the index. */
  private fingerprint(key: string): void {
    let a = this.seedA ^ key.length;
    let b = this.seedB;
    for (let i = 0; i < key.length; i++) {
      const code = key.charCodeAt(i);
      a = Math.imul(a ^ code, 0x9e3779b1);
      a = (a << 13) | (a >>> 19);
      b = Math.imul(b ^ code, 0x85ebca77);
      b = (b << 17) | (b >>> 15);
    }
    this.foundA = mix(a ^ b);
    this.foundB = mix(b + a);
  }

  private takeEntry(): number {
    if (this.freeEntry === NO_ENTRY) return this.unused++;
    const entry = this.freeEntry;
    this.freeEntry = at(this.newer, entry);
    return entry;
  }

  private placeInIndex(entry: number): void {
    const mask = this.index.length - 1;
    let slot = at(this.hashA, entry) & mask;
    while (at(this.index, slot) !== 0) slot = (slot + 1) & mask;
    this.index[slot] = entry + 1;
  }

  /** Empties the entry's slot and shifts back the entries after it that probed past it. */
  private removeFromIndex(entry: number): void {
    const mask = this.index.length - 1;
    let hole = at(this.hashA, entry) & mask;
    while (at(this.index, hole) !== entry + 1) hole = (hole + 1) & mask;
    for (let slot = (hole + 1) & mask; at(this.index, slot) !== 0; slot = (slot + 1) & mask) {
      const home = at(this.hashA, at(this.index, slot) - 1) & mask;
      // The entry may move into the hole when its home is not between the hole and its slot.
      const reachable = hole <= slot ? home <= hole || home > slot : home <= hole && home > slot;
      if (reachable) {
        this.index[hole] = at(this.index, slot);
        hole = slot;
      }
    }
    this.index[hole] = 0;
  }

  /** Doubles the room (up to the capacity), keeping every entry's number. */
  private grow(): void {
    this.room = Math.min(this.capacity, this.room * 2);
    this.hashA = widen(this.hashA, this.room);
    this.hashB = widen(this.hashB, this.room);
    this.values = widen(this.values, this.room);
    this.expiries = widen(this.expiries, this.room);
    this.newer = widen(this.newer, this.room);
    this.older = widen(this.older, this.room);
    const outgrown = this.index;
    this.index = new Int32Array(indexSlotsFor(this.room));
    release(outgrown);
    for (let entry = this.oldestEntry; entry !== NO_ENTRY; entry = at(this.newer, entry)) this.placeInIndex(entry);
  }
}

/** At most half full, so probe runs stay short. */
function indexSlotsFor(room: number): number {
  return 2 ** Math.ceil(Math.log2(room * 2));
}

function widen<T extends Int32Array | Float64Array>(array: T, length: number): T {
  const wider = new (array.constructor as new (length: number) => T)(length);
  wider.set(array);
  release(array);
  return wider;
}

/**
 * Frees an array outgrown by its table at the next scavenge instead of the next full collection:
 * its memory moves, uncopied, to a new ArrayBuffer that nothing keeps. The table's arrays live in
 * the old generation, so their outgrown copies would otherwise wait there for a full collection,
 * about as much again as the table itself.
 */
function release(array: Int32Array | Float64Array): void {
  const { buffer } = array;
  if (buffer instanceof ArrayBuffer) structuredClone(buffer, { transfer: [buffer] });
}

/** MurmurHash3's finaliser: every input bit moves every output bit. */
function mix(value: number): number {
  let h = value;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** A read at an index the table keeps within the array. */
function at(array: Int32Array | Float64Array, i: number): number {
  return array[i] as number;
}
