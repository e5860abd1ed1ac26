import type { RequestHandler } from 'express';

/**
 * HEAD is GET without the body (RFC 9110), wherever GET is allowed. The contract declares GET
 * only, so HEAD goes through the validator and the routes as GET; Node's response, created while
 * the method still said HEAD, already knows to send no body.
 */
export function headAsGet(): RequestHandler {
  return (req, _res, next) => {
    if (req.method === 'HEAD') req.method = 'GET';
    next();
  };
}
