/** FNV-1a's 32-bit offset basis: the hash of nothing. */
const OFFSET_BASIS = 0x811c9dc5;

/**
 * FNV-1a over the text's characters, 32 bits, from the given basis: a random one makes the hash
 * unpredictable from outside. Fast and evenly spread; not a cryptographic hash, so it only ever
 * places things, never decides whether they match.
 */
export function fnv1a(text: string, basis = OFFSET_BASIS): number {
  let hash = basis;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
