import { isIP } from 'node:net';

/** The WebAuthn relying party: whose passkeys these are, and the pages that may use them. */
export interface WebauthnSettings {
  /** The domain passkeys are bound to (WEBAUTHN_RP_ID): the site's host or a parent of it. */
  rpId: string;
  /** The name an authenticator shows beside the passkey (WEBAUTHN_RP_NAME). */
  rpName: string;
  /** The exact origins the ceremonies may run on (WEBAUTHN_ORIGINS). */
  origins: string[];
}

type Env = Record<string, string | undefined>;

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** `https://a.example.com` → `a.example.com`; undefined for anything that is not a bare origin. */
function hostOf(origin: string): string | undefined {
  if (!/^https?:\/\/[^/\s?#]+$/.test(origin)) return undefined;
  try {
    return new URL(origin).hostname;
  } catch {
    return undefined;
  }
}

/**
 * WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME and WEBAUTHN_ORIGINS. Outside production they default to the
 * local service as a browser reaches it: RP ID `localhost` on `http://localhost:<PORT>`
 * (browsers refuse an IP address as RP ID, so http://127.0.0.1 cannot use passkeys). Production
 * should name them: there the localhost default only means no browser can use a passkey (a
 * warning, not a refusal: nothing is less safe for it). Each origin's host must be the RP ID or
 * under it, and in production be https (browsers allow http only on localhost).
 */
export function parseWebauthnSettings(
  env: Env,
  port: number,
  production: boolean,
  { problems, warnings }: { problems: string[]; warnings: string[] },
): WebauthnSettings {
  const rawRpId = env.WEBAUTHN_RP_ID?.trim();
  const rawOrigins = (env.WEBAUTHN_ORIGINS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (production && (!rawRpId || rawOrigins.length === 0))
    warnings.push(
      'WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS are not both set: passkeys are bound to localhost, so no browser can register or use one until they name the site (e.g. example.com and https://login.example.com)',
    );
  const rpId = (rawRpId || 'localhost').toLowerCase();
  if (!HOSTNAME.test(rpId) || isIP(rpId) !== 0)
    problems.push(`WEBAUTHN_RP_ID must be a domain name without scheme or port, not an IP address (got "${rpId}")`);
  const origins = rawOrigins.length > 0 ? rawOrigins : [`http://localhost:${port}`];
  for (const origin of rawOrigins) {
    const host = hostOf(origin);
    if (host === undefined) {
      problems.push(`WEBAUTHN_ORIGINS entry "${origin}" must be an origin such as https://login.example.com`);
      continue;
    }
    if (host !== rpId && !host.endsWith(`.${rpId}`))
      problems.push(`WEBAUTHN_ORIGINS entry "${origin}" is not on WEBAUTHN_RP_ID ${rpId} or a subdomain of it`);
    if (production && !origin.startsWith('https://'))
      problems.push(`WEBAUTHN_ORIGINS entry "${origin}" must be https in production`);
  }
  const rpName = env.WEBAUTHN_RP_NAME?.trim() || 'Gatehouse';
  if (rpName.length > 100) problems.push('WEBAUTHN_RP_NAME must be at most 100 characters');
  return { rpId, rpName, origins };
}
