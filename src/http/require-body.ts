import type { RequestHandler } from 'express';
import { matchedOperation } from '../contract.js';
import { validationFailed } from '../errors/api-error.js';

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The validator lets an empty request through as `{}` even when the contract requires a body;
 * this runs after it and refuses such requests with the same 422 a malformed body gets.
 */
export function requireDocumentedBody(): RequestHandler {
  return (req, _res, next) => {
    const required = matchedOperation(req)?.schema?.requestBody?.required === true;
    if (required && !hasBody(req.headers))
      return next(validationFailed([{ path: '/body', message: 'request body is required' }]));
    next();
  };
}
