import { randomInt } from 'node:crypto';
import { fnv1a } from '../crypto/fnv.js';

/** Cookies a set holds; a cookie may sit in any of its set's ways. */
const WAYS = 4;
/** How many sets: with WAYS, 16,384 verified session cookies remembered at once. */
const SETS = 1 << 12;
/** The longest value plus signature remembered; Gatehouse's own cookies take 103 characters. */
const SLOT_CHARS = 128;
/**
 * How many cookies verified once are remembered by a fingerprint alone (256 KB). A cookie is
 * remembered in full the second time it checks out: a browser sends its cookie on every request,
 * so it is remembered from its second, while a sweep through many cookies each sent once moves none
 * of the cookies in use out of their slots.
 */
const SEEN_ONCE_SLOTS = 1 << 16;

/** What `find` answers for a value and signature not remembered. */
export const NOT_REMEMBERED = -1;

/**
 * Session cookies whose signature one of the keys verified, so that a browser's cookie costs one
 * HMAC per key the first times it is seen rather than on every request. Everything lives in typed
 * arrays made once, outside the JavaScript heap: the characters of each cookie's value and
 * signature in a slot of the set a fingerprint of its signature picks. Kept in a Map, every cookie
 * remembered outlived the young generation and, once pushed out by newer ones, waited in the old
 * generation for a full collection: 50,000 sessions in use grew the heap by about 200 bytes a request.
 *
 * A set holds four cookies; a fifth takes the place of the one that arrived first. Only cookies
 * that verified reach `remember`, so only cookies the service issued take a slot, and a hit needs
 * every character of the value and of the signature to match, compared without stopping at the
 * first difference. The fingerprint starts from a random basis, so no one can aim at a set.
 */
export class VerifiedCookies {
  private readonly basis = randomInt(0x7fffffff);
  private readonly chars = new Uint8Array(SETS * WAYS * SLOT_CHARS);
  private readonly valueLengths = new Uint16Array(SETS * WAYS);
  /** Value plus signature length; 0 for an empty slot. */
  private readonly pairLengths = new Uint16Array(SETS * WAYS);
  /** Which key (its index, newest first) signed the remembered cookie. */
  private readonly keyIndexes = new Uint8Array(SETS * WAYS);
  /** Per set, the way the next cookie remembered there takes. */
  private readonly nextWay = new Uint8Array(SETS);
  private readonly seenOnce = new Int32Array(SEEN_ONCE_SLOTS);

  /** The index of the key that signed this value and signature when they were remembered, else NOT_REMEMBERED. */
  find(value: string, signature: string): number {
    const slot = this.slotOf(value, signature, this.fingerprint(signature));
    return slot === NOT_REMEMBERED ? NOT_REMEMBERED : (this.keyIndexes[slot] as number);
  }

  /**
   * Called when `find` did not know a value and signature that the key at `keyIndex` then
   * verified: remembered from their second time.
   */
  remember(value: string, signature: string, keyIndex: number): void {
    const length = value.length + signature.length;
    if (value === '' || length > SLOT_CHARS || keyIndex > 0xff || !oneByte(value) || !oneByte(signature)) return;
    const print = this.fingerprint(signature);
    if (this.firstSighting(print)) return;
    const set = setOf(print);
    const slot = set * WAYS + (this.nextWay[set] as number);
    this.nextWay[set] = ((this.nextWay[set] as number) + 1) % WAYS;
    const start = slot * SLOT_CHARS;
    for (let i = 0; i < value.length; i++) this.chars[start + i] = value.charCodeAt(i);
    const signatureStart = start + value.length;
    for (let i = 0; i < signature.length; i++) this.chars[signatureStart + i] = signature.charCodeAt(i);
    this.valueLengths[slot] = value.length;
    this.pairLengths[slot] = length;
    this.keyIndexes[slot] = keyIndex;
  }

  /** The slot that holds this very value and signature, else NOT_REMEMBERED. */
  private slotOf(value: string, signature: string, print: number): number {
    if (value === '') return NOT_REMEMBERED;
    const first = setOf(print) * WAYS;
    for (let slot = first; slot < first + WAYS; slot++) {
      if (this.pairLengths[slot] !== value.length + signature.length || this.valueLengths[slot] !== value.length)
        continue;
      // Every character, whatever the first difference: how long a guess took says nothing of how close it came.
      const start = slot * SLOT_CHARS;
      let difference = 0;
      for (let i = 0; i < value.length; i++) difference |= (this.chars[start + i] as number) ^ value.charCodeAt(i);
      const signatureStart = start + value.length;
      for (let i = 0; i < signature.length; i++)
        difference |= (this.chars[signatureStart + i] as number) ^ signature.charCodeAt(i);
      if (difference === 0) return slot;
    }
    return NOT_REMEMBERED;
  }

  /** 32 bits of the signature, never 0 (the seen-once table's empty slot). */
  private fingerprint(signature: string): number {
    return fnv1a(signature, this.basis) | 1;
  }

  /** Whether the fingerprint is new to the seen-once table, which then holds it in place of the slot's last one. */
  private firstSighting(print: number): boolean {
    const slot = (print >>> 16) & (SEEN_ONCE_SLOTS - 1);
    if (this.seenOnce[slot] === print) return false;
    this.seenOnce[slot] = print;
    return true;
  }
}

/** The fingerprint's low bit is always set; the twelve above it pick the set (the seen-once table uses the top sixteen). */
function setOf(print: number): number {
  return (print >>> 1) & (SETS - 1);
}

/** Characters that fit a byte each (cookies are ASCII; a decoded one may not be, and is not remembered). */
function oneByte(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}
