/** FNV-1a's 32-bit offset basis: the hash of nothing. */
export const FNV_OFFSET_BASIS = 0x811c9dc5;

/**
 * FNV-1a over the first `length` characters of the text (all of them by default), 32 bits, from
 * the given basis: a random one makes the hash unpredictable from outside. Fast and evenly spread;
 * not a cryptographic hash, so it only ever places things, never decides whether they match.
 */
export function fnv1a(text: string, basis = FNV_OFFSET_BASIS, length = text.length): number {
  let hash = basis;
  const end = Math.min(length, text.length);
  for (let i = 0; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
