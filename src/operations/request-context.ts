import type { Request } from 'express';
import { type AuditOrigin, requestOrigin } from '../audit/audit-log.js';
import { principalOf } from '../auth/auth-record.js';
import { DEVICE_COOKIE, deviceCookieOptions } from '../auth/device-token.js';
import { type PasswordClient, passwordClientOf } from '../auth/password-check.js';
import type { Principal } from '../auth/principal.js';
import { withSession } from '../http/session-cookies.js';

/**
 * What a handler may know of its request beyond the contract's inputs: who is calling, from
 * where, and the session cookie. The cookie is the one thing that must touch Express: it lives
 * in cookie-session's `req.session`, so setting or clearing it goes through here and no handler
 * sees `req` or `res`. Made once per request, with no closures.
 */
export class RequestContext {
  constructor(private readonly req: Request) {}

  /** The authenticated caller; every operation with a security requirement has one. */
  get principal(): Principal {
    return principalOf(this.req);
  }

  /** The caller, when the operation lets anonymous requests in (logout). */
  get optionalPrincipal(): Principal | undefined {
    return this.req.auth?.principal;
  }

  /** The session the caller came with, when it came with the cookie. */
  get currentSessionId(): string | undefined {
    const principal = this.req.auth?.principal;
    return principal?.scheme === 'session' ? principal.session.id : undefined;
  }

  get ip(): string | undefined {
    return this.req.ip;
  }

  get userAgent(): string | null {
    return this.req.get('user-agent') ?? null;
  }

  /** Who is trying a password: the address, the device cookie it sent, the request for the audit trail. */
  get passwordClient(): PasswordClient {
    return passwordClientOf(this.req);
  }

  /** The device cookie that exempts this client from its account's lock (see PasswordCheck). */
  setDeviceCookie(token: string): void {
    this.req.res?.cookie(DEVICE_COOKIE, token, deviceCookieOptions(this.req.secure));
  }

  /** Who acts and from where, for the audit trail. */
  get origin(): AuditOrigin {
    return requestOrigin(this.req);
  }

  /** The token the signed session cookie carried, unchecked. */
  get sessionCookieToken(): unknown {
    return this.req.session?.token;
  }

  setSessionCookie(token: string): void {
    const req = withSession(this.req);
    req.sessionOptions.secure = req.secure;
    req.session = { token };
  }

  clearSessionCookie(): void {
    withSession(this.req).session = null;
  }
}
