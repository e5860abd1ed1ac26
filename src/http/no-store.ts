import type { RequestHandler } from 'express';

/** Answers may carry credentials or personal data: no cache, shared or private, may keep them. */
export function noStore(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}
