import type { RequestHandler } from 'express';
import { badRequest } from '../errors/api-error.js';

const CREDENTIAL_PARAMETERS = /^(api[_-]?key|key|access[_-]?token|token|password|secret|auth|authorization)$/i;

/** Credentials in a URL end up in logs, proxies and browser history: such requests are refused outright. */
export function refuseQueryCredentials(): RequestHandler {
  return (req, _res, next) => {
    const query = req.url.split('?')[1];
    if (query === undefined) return next();
    const names = new URLSearchParams(query).keys();
    for (const name of names) {
      if (CREDENTIAL_PARAMETERS.test(name)) {
        return next(badRequest('Credentials are not accepted in the query string; send them in a header'));
      }
    }
    next();
  };
}
