import type { Request, RequestHandler } from 'express';
import { matchedOperation } from '../contract.js';
import { safeEqual, sha256Hex } from '../crypto/tokens.js';
import { csrfFailed } from '../errors/api-error.js';

export const CSRF_HEADER = 'X-CSRF-Token';

/** Methods that must not change anything, so a forged cross-site request gains nothing from them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Operations a session may call without the token. `login` starts a new session and ignores the
 * cookie sent with it. `logout` is exempt because the seed's clients sign out with the cookie
 * alone; the worst a forged request can do is sign the victim out.
 */
const EXEMPT_OPERATIONS = new Set(['login', 'logout']);

function operationId(req: Request): string | undefined {
  return matchedOperation(req)?.schema?.operationId;
}

/**
 * Runs after the validator, once the principal is known: every unsafe request whose principal came
 * from the session cookie must carry the session's CSRF token in `X-CSRF-Token`. A browser sends
 * the cookie on a forged cross-site request on its own; it cannot be made to send this header.
 * Basic and API-key callers are not affected: their credentials are never sent implicitly.
 */
export function requireCsrfToken(): RequestHandler {
  return (req, _res, next) => {
    const principal = req.auth?.principal;
    if (principal?.scheme !== 'session' || SAFE_METHODS.has(req.method)) return next();
    const operation = operationId(req);
    if (operation !== undefined && EXEMPT_OPERATIONS.has(operation)) return next();
    const token = req.get(CSRF_HEADER);
    if (token === undefined || token === '') return next(csrfFailed(`Missing ${CSRF_HEADER} header`));
    // Hashes of equal length, compared in constant time: the stored side is a hash anyway.
    if (!safeEqual(sha256Hex(token), principal.session.csrf_token_hash)) return next(csrfFailed('Invalid CSRF token'));
    next();
  };
}
