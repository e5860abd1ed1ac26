import type { Request } from 'express';
import { type AuditOrigin, requestOrigin } from '../audit/audit-log.js';
import { principalOf } from '../auth/auth-record.js';
import { type PasswordClient, passwordClientOf } from '../auth/password-check.js';
import type { Principal } from '../auth/principal.js';
import {
  clearSessionCookie,
  sessionCookieTokenOf,
  setDeviceCookie,
  setSessionCookie,
} from '../http/session-cookies.js';

/**
 * What a handler may know of its request beyond the contract's inputs: who is calling, from
 * where, and its cookies. The cookies are the one thing that must touch Express (they go out
 * through the app's CookieJar), so setting or clearing them goes through here and no handler
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
    setDeviceCookie(this.req, token);
  }

  /** Who acts and from where, for the audit trail. */
  get origin(): AuditOrigin {
    return requestOrigin(this.req);
  }

  /** The token the signed session cookie carried, unchecked. */
  get sessionCookieToken(): unknown {
    return sessionCookieTokenOf(this.req);
  }

  setSessionCookie(token: string): void {
    setSessionCookie(this.req, token);
  }

  clearSessionCookie(): void {
    clearSessionCookie(this.req);
  }
}
