import cookieParser from 'cookie-parser';
import type { Request, RequestHandler } from 'express';
import type { CookieJar } from './cookie-jar.js';

const JAR = Symbol('cookie jar');
const SESSION_TOKEN = Symbol('session cookie token');
type WithCookies = Request & { [JAR]?: CookieJar; [SESSION_TOKEN]?: unknown };

/** What cookie-parser would set for a request without cookies; nothing writes to it. */
const NO_COOKIES: Record<string, string> = Object.freeze(Object.create(null));

/**
 * Parses cookies, for requests that carry a Cookie header, and checks the session cookie's
 * signature. The validator reads the session cookie from `req.cookies`, so this runs before it
 * (DESIGN.md §1). A request without cookies gets an empty, frozen `req.cookies`: parsing
 * nothing was several percent of every API call. A session cookie signed by an older key is
 * issued again here, under the newest, so that rotating SESSION_KEYS moves browsers along.
 */
export function sessionCookies(jar: CookieJar): RequestHandler {
  const parse = cookieParser();
  return (req, res, next) => {
    (req as WithCookies)[JAR] = jar;
    if (req.headers.cookie === undefined) {
      req.cookies = NO_COOKIES;
      next();
      return;
    }
    parse(req, res, () => {
      const reading = jar.readSession(req.cookies);
      if (reading !== undefined) {
        (req as WithCookies)[SESSION_TOKEN] = reading.token;
        if (reading.signedByOlderKey) jar.resignSession(req, res, reading.value);
      }
      next();
    });
  };
}

function jarOf(req: Request): CookieJar {
  const jar = (req as WithCookies)[JAR];
  if (jar === undefined) throw new Error('sessionCookies() is not mounted before this');
  return jar;
}

/** The token a well-signed session cookie carried (or was just set to), unchecked. */
export function sessionCookieTokenOf(req: Request): unknown {
  return (req as WithCookies)[SESSION_TOKEN];
}

export function setSessionCookie(req: Request, token: string): void {
  if (req.res !== undefined) jarOf(req).setSession(req, req.res, token);
  (req as WithCookies)[SESSION_TOKEN] = token;
}

export function clearSessionCookie(req: Request): void {
  if (req.res !== undefined) jarOf(req).clearSession(req, req.res);
  (req as WithCookies)[SESSION_TOKEN] = undefined;
}

/** The device cookie the request carried (see PasswordCheck), unchecked. */
export function deviceCookieOf(req: Request): string | undefined {
  const jar = (req as WithCookies)[JAR];
  const cookie: unknown = jar === undefined ? undefined : req.cookies?.[jar.deviceName];
  return typeof cookie === 'string' ? cookie : undefined;
}

export function setDeviceCookie(req: Request, token: string): void {
  if (req.res !== undefined) jarOf(req).setDevice(req, req.res, token);
}
