import type { Request, Response } from 'express';
import type { Environment } from '../config/config.js';
import { cookieSignature, signingKeyIndex } from './cookie-signature.js';
import { NOT_REMEMBERED, VerifiedCookies } from './verified-cookies.js';

export interface CookieJarOptions {
  env: Environment;
  /** SESSION_KEYS, newest first: the first signs, all verify. */
  keys: string[];
  /** The cookies' names outside production; production gives them the `__Host-` prefix. */
  sessionCookie: string;
  deviceCookie: string;
  sessionMaxAgeSeconds: number;
  deviceMaxAgeSeconds: number;
}

/** The session cookie a request carried under a signature of ours. */
export interface SessionCookieReading {
  /** What the cookie says the session token is: unchecked, perhaps not even a string. */
  token: unknown;
  /** The cookie's value as sent, to be signed again. */
  value: string;
  /** A key other than the newest signed it: the cookie is issued again under the newest. */
  signedByOlderKey: boolean;
}

const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';

/**
 * Every cookie Gatehouse sets, written one way: `Path=/`, `HttpOnly`, `SameSite=Lax`, no
 * `Domain`, and `Secure` whenever the answer goes over HTTPS. In production that is always:
 * behind a TLS-terminating proxy that TRUST_PROXY does not name, the request looks like plain
 * http, yet the browser talks HTTPS. There the names carry the `__Host-` prefix, so that no
 * sibling subdomain (and no plain-http page) can plant a session cookie of its own choosing.
 * Written by hand, not with the `cookies` library: it refuses a Secure cookie on a request it
 * thinks is plain http, and re-signs a rotated cookie's `.sig` without SameSite, Secure or expiry.
 * The session cookie's value and signature are cookie-session's (see cookieSignature).
 */
export class CookieJar {
  readonly sessionName: string;
  readonly deviceName: string;
  /** `<session cookie>.sig`, where its signature travels. */
  private readonly signatureName: string;
  private readonly alwaysSecure: boolean;
  private readonly verified = new VerifiedCookies();

  constructor(private readonly options: CookieJarOptions) {
    const production = options.env === 'production';
    this.alwaysSecure = production;
    this.sessionName = production ? `__Host-${options.sessionCookie}` : options.sessionCookie;
    this.deviceName = production ? `__Host-${options.deviceCookie}` : options.deviceCookie;
    this.signatureName = `${this.sessionName}.sig`;
  }

  /** The session cookie among the request's cookies, when one of the keys signed it. */
  readSession(cookies: Record<string, unknown>): SessionCookieReading | undefined {
    const value = cookies[this.sessionName];
    const signature = cookies[this.signatureName];
    if (typeof value !== 'string' || value === '' || typeof signature !== 'string') return undefined;
    // The whole pair is remembered: a known value with another signature is verified afresh.
    const remembered = this.verified.find(value, signature);
    const index =
      remembered === NOT_REMEMBERED
        ? signingKeyIndex(this.options.keys, this.sessionName, value, signature)
        : remembered;
    if (index === -1) return undefined;
    if (remembered === NOT_REMEMBERED) this.verified.remember(value, signature, index);
    return { token: tokenIn(value), value, signedByOlderKey: index > 0 };
  }

  setSession(req: Request, res: Response, token: string): void {
    this.setSigned(req, res, Buffer.from(JSON.stringify({ token })).toString('base64'));
  }

  /** The same value under the newest key, with every attribute, so both cookies expire together. */
  resignSession(req: Request, res: Response, value: string): void {
    this.setSigned(req, res, value);
  }

  clearSession(req: Request, res: Response): void {
    const attributes = `; Max-Age=0; Path=/; Expires=${EPOCH}${this.flags(req)}`;
    put(res, this.sessionName, '', attributes);
    put(res, this.signatureName, '', attributes);
  }

  setDevice(req: Request, res: Response, token: string): void {
    put(res, this.deviceName, token, this.lasting(req, this.options.deviceMaxAgeSeconds));
  }

  private setSigned(req: Request, res: Response, value: string): void {
    const [newest = ''] = this.options.keys;
    const attributes = this.lasting(req, this.options.sessionMaxAgeSeconds);
    put(res, this.sessionName, value, attributes);
    put(res, this.signatureName, cookieSignature(newest, this.sessionName, value), attributes);
  }

  /** Max-Age only, no Expires: the browser counts it on its own clock, whatever the server's says. */
  private lasting(req: Request, maxAgeSeconds: number): string {
    return `; Max-Age=${maxAgeSeconds}; Path=/${this.flags(req)}`;
  }

  private flags(req: Request): string {
    return this.alwaysSecure || req.secure ? '; HttpOnly; Secure; SameSite=Lax' : '; HttpOnly; SameSite=Lax';
  }
}

/** cookie-session's format: the session object as base64 JSON; only its own `token` counts. */
function tokenIn(value: string): unknown {
  try {
    const session: unknown = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
    return typeof session === 'object' && session !== null && Object.hasOwn(session, 'token')
      ? (session as { token: unknown }).token
      : undefined;
  } catch {
    return undefined;
  }
}

/** Sets the cookie, replacing one of the same name set earlier in this answer (a re-issue, then a sign-out). */
function put(res: Response, name: string, value: string, attributes: string): void {
  const earlier = res.getHeader('Set-Cookie');
  const lines = earlier === undefined ? [] : Array.isArray(earlier) ? earlier : [String(earlier)];
  res.setHeader('Set-Cookie', [
    ...lines.filter((line) => !line.startsWith(`${name}=`)),
    `${name}=${value}${attributes}`,
  ]);
}
