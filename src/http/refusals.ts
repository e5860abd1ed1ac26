import type { RequestHandler } from 'express';
import { matchedOperation } from '../contract.js';
import { ApiError, badRequest, validationFailed } from '../errors/api-error.js';

/*
 * What is turned away around the validator, in the order app.ts mounts it: credentials in the
 * URL, duplicated credential headers, bodies announced too large or nested too deep (before),
 * and a required body that never came (after). HEAD is answered as GET first.
 */

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

const CREDENTIAL_PARAMETERS = /^(api[_-]?key|key|access[_-]?token|token|password|secret|auth|authorization)$/i;

/** Credentials in a URL end up in logs, proxies and browser history: such requests are refused outright. */
export function refuseQueryCredentials(): RequestHandler {
  return (req, _res, next) => {
    const start = req.url.indexOf('?');
    if (start === -1) return next();
    // What split('?')[1] gives, without the array: up to a second '?', if any.
    const end = req.url.indexOf('?', start + 1);
    const query = req.url.slice(start + 1, end === -1 ? undefined : end);
    const names = new URLSearchParams(query).keys();
    for (const name of names) {
      if (CREDENTIAL_PARAMETERS.test(name)) {
        return next(badRequest('Credentials are not accepted in the query string; send them in a header'));
      }
    }
    next();
  };
}

/** Headers Node keeps only the first copy of; a proxy in front may honour another copy. */
const SINGLE_CREDENTIAL_HEADERS = ['authorization', 'x-api-key'] as const;
const DISPLAY_NAMES = { authorization: 'Authorization', 'x-api-key': 'X-API-Key' } as const;

/**
 * Two Authorization headers are ambiguous: Node silently keeps the first, a proxy or log may
 * see the other. Such requests are refused instead of guessing which one the client meant.
 * Every request passes here, so only names of the right length are lowercased.
 */
export function refuseDuplicateCredentials(): RequestHandler {
  return (req, _res, next) => {
    let seenAuthorization = false;
    let seenApiKey = false;
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const raw = req.rawHeaders[i] ?? '';
      if (raw.length !== 13 && raw.length !== 9) continue;
      const name = raw.toLowerCase();
      const authorization = name === SINGLE_CREDENTIAL_HEADERS[0];
      if (!authorization && name !== SINGLE_CREDENTIAL_HEADERS[1]) continue;
      if (authorization ? seenAuthorization : seenApiKey)
        return next(badRequest(`Send one ${DISPLAY_NAMES[name]} header, not several`));
      if (authorization) seenAuthorization = true;
      else seenApiKey = true;
    }
    next();
  };
}

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

/** Deeper than any real payload; far shallower than what overflows the validator's or the serializer's recursion. */
export const MAX_JSON_DEPTH = 32;

/** The nesting depth of a parsed JSON value, walked without recursion so that measuring cannot overflow the stack. */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * 100 KB of `[[[[…` parses fine but is deep enough to overflow recursive validation and
 * serialization (a 500). Such bodies are refused as unreadable before anything walks them.
 */
export function refuseDeepJson(maxDepth = MAX_JSON_DEPTH): RequestHandler {
  return (req, _res, next) => {
    // Most requests have no body at all: nothing to walk.
    if (typeof req.body !== 'object' || req.body === null) return next();
    if (jsonDepth(req.body, maxDepth) > maxDepth)
      return next(badRequest(`Request body is nested more than ${maxDepth} levels deep`));
    next();
  };
}

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
