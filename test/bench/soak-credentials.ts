import { createHmac } from 'node:crypto';
import { generateApiKey } from '../../src/api-keys/key-format.js';
import { newId, newSecretToken, sha256Hex } from '../../src/crypto/tokens.js';
import { openStore } from '../../src/store/store.js';
import type { LoadRequest } from './load-generator.js';

export interface RealCredentials {
  apiKeys: string[];
  /** Session tokens the store knows (what the signed cookie carries). */
  sessionTokens: string[];
}

/**
 * Writes real API keys (john's, read-only) and real sessions (alice's) straight into the running
 * server's SQLite file through the store module and the service's own token helpers (SHA-256 of key
 * and token, ids and secrets as the service makes them): thousands of valid credentials in a second, where sign-ins at bcrypt 12 would
 * take minutes. The server loaded the demo users first, so they exist.
 */
export async function seedRealCredentials(databaseUrl: string, count: number): Promise<RealCredentials> {
  const store = await openStore(databaseUrl);
  try {
    const john = await store.users.findByUsername('john');
    const alice = await store.users.findByUsername('alice');
    if (john === undefined || alice === undefined) throw new Error('soak: the demo users are missing');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + 12 * 3_600_000);
    const apiKeys: string[] = [];
    const sessionTokens: string[] = [];
    await store.transaction(async (tx) => {
      for (let i = 0; i < count; i++) {
        const { key, prefix } = generateApiKey('test');
        await tx.apiKeys.create({
          id: newId('key'),
          userId: john.id,
          name: `soak ${i}`,
          prefix,
          keyHash: sha256Hex(key),
          permissions: ['read'],
          expiresAt: null,
          now,
        });
        apiKeys.push(key);
        const token = newSecretToken();
        await tx.sessions.create({
          id: newId('ses'),
          tokenHash: sha256Hex(token),
          csrfTokenHash: sha256Hex(newSecretToken()),
          userId: alice.id,
          now,
          expiresAt,
          userAgent: 'gatehouse bench soak',
          ip: '127.0.0.1',
        });
        sessionTokens.push(token);
      }
    });
    return { apiKeys, sessionTokens };
  } finally {
    await store.close();
  }
}

/**
 * A session cookie as cookie-session writes it: the session object as base64 JSON, and a
 * `<name>.sig` cookie holding keygrip's signature of `<name>=<value>` (HMAC-SHA1 under the
 * newest key, base64url without padding). The server accepts the signature and then looks the
 * token up in its store.
 */
export function signedSessionCookie(name: string, sessionKey: string, token: string): string {
  const value = Buffer.from(JSON.stringify({ token })).toString('base64');
  const signature = createHmac('sha1', sessionKey).update(`${name}=${value}`).digest('base64url');
  return `${name}=${value}; ${name}.sig=${signature}`;
}

export interface SoakListOptions {
  distinct: number;
  cookieName: string;
  sessionKey: string;
  real: RealCredentials;
  /** Cookies of real sign-ins through /login. */
  signedIn: string[];
}

/** Which real credential, if any, the n-th entry uses: they are spread evenly through the list, so a short run meets both kinds. */
function realIndex(n: number, distinct: number, real: number): number | undefined {
  const stride = Math.max(1, Math.floor(distinct / Math.max(real, 1)));
  return n % stride === 0 && n / stride < real ? n / stride : undefined;
}

/**
 * `distinct` API keys, sessions and failing usernames, interleaved (key, session, username, next
 * key…). Keys: a real one every distinct/real entries, the others unknown keys of the current
 * format with a valid checksum (so each costs a store lookup, not the checksum's early refusal),
 * as X-API-Key and Bearer in turn. Sessions: likewise real (real sign-ins, then seeded sessions)
 * among validly signed cookies naming tokens the store never saw. Usernames: `soak-user-<n>`,
 * none of which exists.
 */
export function soakRequests({ distinct, cookieName, sessionKey, real, signedIn }: SoakListOptions): LoadRequest[] {
  const requests: LoadRequest[] = [];
  const realSessions = [
    ...signedIn,
    ...real.sessionTokens.map((token) => signedSessionCookie(cookieName, sessionKey, token)),
  ];
  for (let n = 0; n < distinct; n++) {
    const keyIndex = realIndex(n, distinct, real.apiKeys.length);
    const key = (keyIndex === undefined ? undefined : real.apiKeys[keyIndex]) ?? generateApiKey('test').key;
    requests.push({
      method: 'GET',
      path: '/apikey/data',
      headers: n % 2 === 0 ? { 'x-api-key': key } : { authorization: `Bearer ${key}` },
    });
    const sessionIndex = realIndex(n, distinct, realSessions.length);
    const cookie =
      (sessionIndex === undefined ? undefined : realSessions[sessionIndex]) ??
      signedSessionCookie(cookieName, sessionKey, newSecretToken());
    requests.push({ method: 'GET', path: '/dashboard', headers: { cookie } });
    const basic = Buffer.from(`soak-user-${n}:wrong-password-${n}`).toString('base64');
    requests.push({ method: 'GET', path: '/basic/profile', headers: { authorization: `Basic ${basic}` } });
  }
  return requests;
}
