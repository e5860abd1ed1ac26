import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import { type DestinationStream, type Logger, pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { matchedOperation } from '../contract.js';

const SECRET_HEADERS = [
  '.authorization',
  '.cookie',
  '["set-cookie"]',
  '["x-api-key"]',
  '["x-csrf-token"]',
  '["proxy-authorization"]',
];
const SECRET_FIELDS = ['password', 'current_password', 'new_password', 'key', 'token', 'csrf_token', 'secret', 'body'];

/**
 * Anything that might hold a secret is redacted at every level, even if a future log call
 * includes it: credential headers wherever a headers object appears, password-like fields up to
 * three levels deep, and request bodies (body-parser errors carry the raw body, password and all).
 */
export const REDACT_PATHS = [
  ...['req.headers', 'res.headers', 'headers', '*.headers'].flatMap((at) =>
    SECRET_HEADERS.map((name) => `${at}${name}`),
  ),
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

/** The service's logger; tests pass a destination to collect its lines. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination === undefined ? pino(options) : pino(options, destination);
}

function pathOnly(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}

/**
 * One JSON line per request: id, method, path (never the query string), status, duration and,
 * once known, the principal. Headers are not logged at all; the id is echoed as X-Request-Id.
 */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: (_req: IncomingMessage, res: ServerResponse) => {
      const id = randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: pathOnly(req.url),
      }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
    customProps: (req: IncomingMessage) => {
      const request = req as Request;
      const principal = request.auth?.principal;
      const route = matchedOperation(request)?.openApiRoute;
      return {
        route,
        ...(principal === undefined ? {} : { principal: { user_id: principal.user.id, scheme: principal.scheme } }),
      };
    },
    customLogLevel: (_req, res, error) => (error !== undefined || res.statusCode >= 500 ? 'error' : 'info'),
  });
}
