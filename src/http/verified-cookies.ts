/** How many verified session cookies are remembered at once. */
const SLOTS = 1 << 14;
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
 * signature in a fixed slot, found by a fingerprint of the signature. Kept in a Map, every cookie
 * remembered outlived the young generation and, once pushed out by newer ones, waited in the old
 * generation for a full collection: 50,000 sessions in use grew the heap by about 200 bytes a request.
 *
 * A slot holds one cookie; two in use that share one take turns (each turn costs its HMAC). Only
 * cookies that verified reach `remember`, so only cookies the service issued take a slot, and a
 * hit needs every character of the value and signature to match.
 */
export class VerifiedCookies {
  private readonly chars = new Uint8Array(SLOTS * SLOT_CHARS);
  private readonly valueLengths = new Uint16Array(SLOTS);
  /** Value plus signature length; 0 for an empty slot. */
  private readonly pairLengths = new Uint16Array(SLOTS);
  /** Which key (its index, newest first) signed the remembered cookie. */
  private readonly keyIndexes = new Uint8Array(SLOTS);
  private readonly seenOnce = new Int32Array(SEEN_ONCE_SLOTS);

  /** The index of the key that signed this value and signature when they were remembered, else NOT_REMEMBERED. */
  find(value: string, signature: string): number {
    const slot = slotOf(fingerprint(signature));
    if (this.pairLengths[slot] !== value.length + signature.length || this.valueLengths[slot] !== value.length)
      return NOT_REMEMBERED;
    const start = slot * SLOT_CHARS;
    for (let i = 0; i < value.length; i++) if (this.chars[start + i] !== value.charCodeAt(i)) return NOT_REMEMBERED;
    const signatureStart = start + value.length;
    for (let i = 0; i < signature.length; i++)
      if (this.chars[signatureStart + i] !== signature.charCodeAt(i)) return NOT_REMEMBERED;
    return this.keyIndexes[slot] ?? NOT_REMEMBERED;
  }

  /** Called with a value and signature the key at `keyIndex` verified: remembered from their second time. */
  remember(value: string, signature: string, keyIndex: number): void {
    const length = value.length + signature.length;
    if (length > SLOT_CHARS || keyIndex > 0xff || !oneByte(value) || !oneByte(signature)) return;
    const print = fingerprint(signature);
    if (this.firstSighting(print)) return;
    const slot = slotOf(print);
    const start = slot * SLOT_CHARS;
    for (let i = 0; i < value.length; i++) this.chars[start + i] = value.charCodeAt(i);
    const signatureStart = start + value.length;
    for (let i = 0; i < signature.length; i++) this.chars[signatureStart + i] = signature.charCodeAt(i);
    this.valueLengths[slot] = value.length;
    this.pairLengths[slot] = length;
    this.keyIndexes[slot] = keyIndex;
  }

  /** Whether the fingerprint is new to the seen-once table, which then holds it in place of the slot's last one. */
  private firstSighting(print: number): boolean {
    const slot = (print >>> 16) & (SEEN_ONCE_SLOTS - 1);
    if (this.seenOnce[slot] === print) return false;
    this.seenOnce[slot] = print;
    return true;
  }
}

/** The fingerprint's low bit is always set; its next fourteen place the cookie (the seen-once table uses the top sixteen). */
function slotOf(print: number): number {
  return (print >>> 1) & (SLOTS - 1);
}

/** Characters that fit a byte each (cookies are ASCII; a decoded one may not be, and is not remembered). */
function oneByte(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/** FNV-1a over the signature's characters: 32 bits, never 0 (the seen-once table's empty slot). */
function fingerprint(signature: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < signature.length; i++) hash = Math.imul(hash ^ signature.charCodeAt(i), 0x01000193);
  return hash | 1;
}
