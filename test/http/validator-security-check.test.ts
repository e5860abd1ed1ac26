import type { Request, RequestHandler, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { quietSecurityCheck, withQuietSecurityCheck } from '../../src/http/validator-security-check.js';

const apiDoc = {
  components: {
    securitySchemes: {
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      bearerAuth: { type: 'http', scheme: 'bearer' },
    },
  },
};

/** What the validator's metadata middleware leaves on a request to an operation accepting either key header. */
function requestWith(headers: Record<string, string>): Request {
  return {
    headers,
    openapi: { openApiRoute: '/apikey/data', schema: { security: [{ apiKey: [] }, { bearerAuth: [] }] } },
  } as unknown as Request;
}

/** Runs the check to its end; resolves with what it passed to next(). */
function run(check: RequestHandler, req: Request): Promise<unknown> {
  return new Promise((resolve) => check(req, {} as Response, resolve));
}

describe('the validator security check without stack traces', () => {
  it('runs the validator check itself: a present alternative passes, none present answers its 401', async () => {
    const seen: string[] = [];
    const handler = (scheme: string) => async (req: Request) => {
      seen.push(`${scheme}:${String(req.headers.authorization ?? req.headers['x-api-key'])}`);
      return true;
    };
    const check = quietSecurityCheck(apiDoc, { apiKey: handler('apiKey'), bearerAuth: handler('bearer') });

    expect(await run(check, requestWith({ authorization: 'Bearer k' }))).toBeUndefined();
    expect(seen).toEqual(['bearer:Bearer k']);

    const refused = (await run(check, requestWith({}))) as { status: number; message: string };
    expect(refused.status).toBe(401);
    expect(refused.message).toBe("'X-API-Key' header required");
  });

  it('makes no stack trace for the absent alternative, and restores the limit before anything else runs', async () => {
    const limits: number[] = [];
    const check = quietSecurityCheck(apiDoc, {
      apiKey: async () => true,
      bearerAuth: async () => {
        limits.push(Error.stackTraceLimit);
        await Promise.resolve();
        limits.push(Error.stackTraceLimit);
        return true;
      },
    });
    const before = Error.stackTraceLimit;
    const done = run(check, requestWith({ authorization: 'Bearer k' }));
    expect(Error.stackTraceLimit).toBe(before);
    expect(await done).toBeUndefined();
    // The synchronous part (presence checks, the handler's start) ran with no stack; its continuation with it restored.
    expect(limits).toEqual([0, before]);
  });

  it('replaces the validator security middleware, and refuses a validator without one', () => {
    const other: RequestHandler = function requestMiddleware(_req, _res, next) {
      next();
    };
    const original: RequestHandler = function securityMiddleware(_req, _res, next) {
      next();
    };
    const replaced = withQuietSecurityCheck([other, original], apiDoc, {});
    expect(replaced[0]).toBe(other);
    expect(replaced[1]).not.toBe(original);
    expect(() => withQuietSecurityCheck([other], apiDoc, {})).toThrow(/no securityMiddleware/);
  });
});
