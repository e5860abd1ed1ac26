import cors from 'cors';
import type { RequestHandler } from 'express';

/** Every header a browser client of the contract sends. */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'X-API-Key', 'X-CSRF-Token'];
/** Every header of ours a browser client needs to read. */
export const CORS_EXPOSED_HEADERS = ['X-Request-Id', 'RateLimit', 'RateLimit-Policy', 'Retry-After'];
const PREFLIGHT_CACHE_SECONDS = 600;

/**
 * CORS for an allow-list of origins, with credentials. A listed origin is echoed back; any
 * other gets no CORS header at all, so the browser withholds the answer. Preflights of listed
 * origins are answered here, before the validator, which would otherwise answer OPTIONS on a
 * documented path with 405. `*` never reaches this point: the configuration refuses it.
 */
export function corsPolicy(origins: string[]): RequestHandler {
  const allowed = new Set(origins);
  const handle = cors({
    origin: true,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: PREFLIGHT_CACHE_SECONDS,
  });
  return (req, res, next) => {
    // Nothing before this sets Vary; res.vary() would parse and merge for every request.
    if (res.getHeader('Vary') === undefined) res.setHeader('Vary', 'Origin');
    else res.vary('Origin');
    const origin = req.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return next();
    handle(req, res, next);
  };
}
