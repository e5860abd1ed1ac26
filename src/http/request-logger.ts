import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { type DestinationStream, type Logger, pino } from 'pino';
import { matchedOperation } from '../contract.js';
import { stdoutLines } from './batched-lines.js';
import { elapsedMs, markRequestStart } from './request-timing.js';

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

/** The service's logger, on stdout in batches (stdoutLines); tests pass a destination to collect its lines. */
export function createLogger(level: string, destination: DestinationStream = stdoutLines()): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

function pathOnly(url: string | undefined): string {
  const path = url ?? '';
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The request id, set by requestLogger before anything else runs. */
    id?: string;
  }
}

type Answered = ServerResponse & { req: Request };

/**
 * One JSON line per request: id, method, path (never the query string), route, status, duration
 * and, once known, the principal. Headers are not logged at all; the id is echoed as
 * X-Request-Id.
 *
 * Written by hand rather than through pino-http: that made two child loggers per request and
 * ran every line through the redaction paths, about 15% of the CPU of `GET /healthz` under load.
 * This line is built field by field from values that cannot hold a secret, so it goes through a
 * child that skips redaction; every other line, at every level, is still redacted.
 */
export function requestLogger(logger: Logger): RequestHandler {
  const lines = logger.child({}, { redact: [] });
  // One listener for every response: 'close' follows 'finish', and also comes for an aborted request.
  function logLine(this: Answered): void {
    const req = this.req;
    const principal = req.auth?.principal;
    const line = {
      req: { id: req.id, method: req.method, path: pathOnly(req.originalUrl) },
      route: matchedOperation(req)?.openApiRoute,
      principal: principal === undefined ? undefined : { user_id: principal.user.id, scheme: principal.scheme },
      res: { status: this.statusCode },
      responseTime: Math.round(elapsedMs(this)),
    };
    if (this.statusCode >= 500) lines.error(line, 'request errored');
    else lines.info(line, 'request completed');
  }
  return (req, res, next) => {
    const id = randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    markRequestStart(res);
    res.on('close', logLine);
    next();
  };
}
