import { createRequire } from 'node:module';
import type { RequestHandler } from 'express';

type SecurityHandlers = Record<string, (...args: never[]) => unknown>;
type SecurityCheck = (...args: Parameters<RequestHandler>) => Promise<void>;
type SecurityFactory = (apiDoc: unknown, handlers: SecurityHandlers) => SecurityCheck;

/** The validator's own security check, the function its `securityMiddleware` builds once the spec is loaded. */
const fromValidator = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));
const { security } = fromValidator('./middlewares/openapi.security') as { security: SecurityFactory };

/**
 * The validator's security check, run without stack traces for its presence checks.
 *
 * For an operation that accepts `[apiKey, bearerAuth]`, the validator checks each alternative's
 * header and throws an `Error` for the one that is absent, then discards it: on every API-key
 * answer, a stack trace nobody reads (4–6% of its CPU). The check is the validator's own
 * (`middlewares/openapi.security.js`, the same function over the same document and handlers);
 * only `Error.stackTraceLimit` is 0 while its synchronous part runs: the presence checks and the
 * start of each security handler, whose refusals (ApiError) carry no stack anyway. The limit is
 * restored before anything else runs, so no other code's errors lose theirs.
 */
export function quietSecurityCheck(apiDoc: unknown, handlers: SecurityHandlers): RequestHandler {
  const check = security(apiDoc, handlers);
  return (req, res, next) => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      // As the validator's own wrapper does: a rejection goes to the error handlers.
      check(req, res, next).catch(next);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
}

/** The validator's middlewares with its security check replaced by quietSecurityCheck. */
export function withQuietSecurityCheck(
  middlewares: RequestHandler[],
  apiDoc: unknown,
  handlers: SecurityHandlers,
): RequestHandler[] {
  const index = middlewares.findIndex((middleware) => middleware.name === 'securityMiddleware');
  if (index === -1)
    throw new Error('express-openapi-validator returned no securityMiddleware: has its version changed?');
  const quiet = quietSecurityCheck(apiDoc, handlers);
  return middlewares.map((middleware, at) => (at === index ? quiet : middleware));
}
