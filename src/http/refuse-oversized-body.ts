import type { RequestHandler } from 'express';
import { ApiError } from '../errors/api-error.js';

/**
 * A body announced as larger than the limit is refused at once, and the connection closed
 * after the answer. Left to the JSON parser, the server would first read (and wait for) every
 * announced byte, so a client claiming megabytes and sending two could hold the connection
 * until the request timeout.
 */
export function refuseOversizedBody(limitBytes: number): RequestHandler {
  return (req, res, next) => {
    const announced = Number(req.headers['content-length'] ?? 0);
    if (!(announced > limitBytes)) return next();
    res.set('Connection', 'close');
    next(new ApiError(413, 'invalid_request_error', 'Request body is too large'));
  };
}
