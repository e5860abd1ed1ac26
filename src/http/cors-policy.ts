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
    // Every answer depends on Origin, so caches must key on it. Nothing before this sets Vary
    // (cors itself only appends to it), so it is set, not merged: res.vary() parses per request.
    res.setHeader('Vary', 'Origin');
    const origin = req.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return next();
    handle(req, res, next);
  };
}
