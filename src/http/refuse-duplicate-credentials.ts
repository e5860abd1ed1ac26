import type { RequestHandler } from 'express';
import { badRequest } from '../errors/api-error.js';

/** Headers Node keeps only the first copy of; a proxy in front may honour another copy. */
const SINGLE_CREDENTIAL_HEADERS = new Set(['authorization', 'x-api-key']);

/**
 * Two Authorization headers are ambiguous: Node silently keeps the first, a proxy or log may
 * see the other. Such requests are refused instead of guessing which one the client meant.
 */
export function refuseDuplicateCredentials(): RequestHandler {
  return (req, _res, next) => {
    const seen = new Set<string>();
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = (req.rawHeaders[i] ?? '').toLowerCase();
      if (!SINGLE_CREDENTIAL_HEADERS.has(name)) continue;
      if (seen.has(name))
        return next(
          badRequest(`Send one ${name === 'authorization' ? 'Authorization' : 'X-API-Key'} header, not several`),
        );
      seen.add(name);
    }
    next();
  };
}
