import cookieParser from 'cookie-parser';
import cookieSession from 'cookie-session';
import type { Request, RequestHandler } from 'express';

type SessionOptions = Parameters<typeof cookieSession>[0];

const ATTACH_SESSION = Symbol('attach cookie-session');
type MaybeAttachable = Request & { [ATTACH_SESSION]?: (req: Request) => void };

/** What cookie-parser would set for a request without cookies; nothing writes to it. */
const NO_COOKIES: Record<string, string> = Object.freeze(Object.create(null));

/**
 * cookie-parser and cookie-session, for requests that carry a Cookie header. The validator
 * reads the session cookie from `req.cookies`, which cookie-session does not set, so both run
 * before it (DESIGN.md §1). A request without cookies gets an empty, frozen `req.cookies` and
 * no session: parsing nothing and preparing a signed cookie nobody asked for was several
 * percent of every API call. A handler that sets or clears the cookie on such a request (sign-in,
 * sign-out) has cookie-session attached then, through `sessionOf`.
 */
export function sessionCookies(options: SessionOptions): RequestHandler {
  const parse = cookieParser();
  const session = cookieSession(options);
  const attach = (req: Request): void => {
    session(req, req.res as never, () => undefined);
  };
  return (req, res, next) => {
    if (req.headers.cookie !== undefined) {
      parse(req, res, () => session(req, res, next));
      return;
    }
    req.cookies = NO_COOKIES;
    (req as MaybeAttachable)[ATTACH_SESSION] = attach;
    next();
  };
}

/** The request, with cookie-session's `req.session` and `req.sessionOptions` in place. */
export function withSession(req: Request): Request {
  const attach = (req as MaybeAttachable)[ATTACH_SESSION];
  if (attach !== undefined) {
    (req as MaybeAttachable)[ATTACH_SESSION] = undefined;
    attach(req);
  }
  return req;
}
