export interface BasicCredentials {
  username: string;
  password: string;
}

const MAX_HEADER_LENGTH = 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** True when the header claims the Basic scheme, whether or not what follows is well formed. */
export function claimsBasic(header: string | undefined): boolean {
  return header !== undefined && /^basic(\s|$)/i.test(header.trimStart());
}

/**
 * Parses `Authorization: Basic base64(user:pass)` (RFC 7617, UTF-8). Returns undefined for
 * anything malformed: bad base64, no colon, invalid UTF-8, control characters, absurd length.
 */
export function parseBasicCredentials(header: string | undefined): BasicCredentials | undefined {
  if (header === undefined || header.length > MAX_HEADER_LENGTH) return undefined;
  const match = /^basic\s+(\S+)\s*$/i.exec(header.trim());
  const encoded = match?.[1];
  if (encoded === undefined || encoded.length % 4 !== 0 || !BASE64.test(encoded)) return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(encoded, 'base64'));
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0 || CONTROL_CHARACTERS.test(decoded)) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
