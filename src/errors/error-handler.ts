import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { sendJson } from '../send-json.js';
import {
  ApiError,
  badRequest,
  conflict,
  type ErrorDetail,
  type ErrorEnvelope,
  notFound,
  unauthenticated,
  validationFailed,
} from './api-error.js';
import { Conflict, DomainError, InvalidInput, NotFound } from './domain-errors.js';

/** The shape of express-openapi-validator's HttpError. */
interface ValidatorError {
  status: number;
  errors: Array<{ path?: string; message?: string }>;
  headers?: Record<string, string>;
  message: string;
}

/** The shape of body-parser's errors (http-errors with a `type`). */
interface BodyParserError {
  status: number;
  type: string;
}

function isValidatorError(error: unknown): error is ValidatorError {
  return typeof (error as ValidatorError)?.status === 'number' && Array.isArray((error as ValidatorError).errors);
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof (error as BodyParserError)?.status === 'number' && typeof (error as BodyParserError).type === 'string';
}

/** `.body.username` or `/body/username` → `/body/username`. */
function detailPath(path: string | undefined): string {
  if (path === undefined || path === '') return '/';
  return path.startsWith('/') ? path : `/${path.replace(/^\./, '').replaceAll('.', '/')}`;
}

function fromValidator(error: ValidatorError): ApiError {
  switch (error.status) {
    case 400: {
      // A path that is not valid percent-encoding is unreadable, not a wrongly shaped request.
      if (error.errors.some((e) => /malformed uri/i.test(e.message ?? '')))
        return badRequest('The path is not valid percent-encoding');
      // An id in the path that is too long to be one names nothing: not found, as an unknown id is.
      if (error.errors.every((e) => detailPath(e.path).startsWith('/params/'))) return notFound('Not found');
      const details: ErrorDetail[] = error.errors.map((e) => ({
        path: detailPath(e.path),
        message: e.message ?? 'is not valid',
      }));
      return validationFailed(details);
    }
    case 401:
      // auth/ decides every authentication failure before this point; this is only the fallback.
      return unauthenticated('Not authenticated');
    case 404:
      return notFound('Route not found');
    case 405:
      return new ApiError(405, 'method_not_allowed_error', 'Method not allowed', { headers: error.headers ?? {} });
    case 406:
      return new ApiError(
        406,
        'invalid_request_error',
        'The Accept header names no media type this route can answer with',
      );
    case 413:
      return new ApiError(413, 'invalid_request_error', 'Request body is too large');
    case 415:
      return new ApiError(415, 'invalid_request_error', 'Content-Type must be application/json');
    default:
      return new ApiError(500, 'internal_error', 'Internal server error', { internal: error.message });
  }
}

function fromBodyParser(error: BodyParserError): ApiError {
  switch (error.type) {
    case 'entity.parse.failed':
      return badRequest('Request body is not valid JSON');
    case 'entity.too.large':
      return new ApiError(413, 'invalid_request_error', 'Request body is too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(415, 'invalid_request_error', 'Request body must be UTF-8 JSON');
    default:
      return badRequest('Request body could not be read');
  }
}

/** A service's refusal; the service names a field, the client sees where in its request it was. */
function fromDomain(error: DomainError): ApiError {
  if (error instanceof InvalidInput)
    return validationFailed([{ path: `/body/${error.field}`, message: error.message }]);
  if (error instanceof Conflict) return conflict(error.message);
  if (error instanceof NotFound) return notFound(error.message);
  return new ApiError(500, 'internal_error', 'Internal server error', { internal: error.message });
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof DomainError) return fromDomain(error);
  if (isValidatorError(error)) return fromValidator(error);
  if (isBodyParserError(error)) return fromBodyParser(error);
  const status = (error as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return badRequest('Bad request');
  return new ApiError(500, 'internal_error', 'Internal server error');
}

/** The one place every failure becomes the envelope; internal detail goes to the log only. */
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    const apiError = toApiError(error);
    const requestId = String(req.id ?? '');
    if (apiError.status >= 500)
      logger.error({ err: error, request_id: requestId, internal: apiError.internal }, 'request failed');
    if (res.headersSent) return next(error);
    res.status(apiError.status).set(apiError.headers);
    const envelope: ErrorEnvelope = {
      error: {
        type: apiError.type,
        message: apiError.message,
        status_code: apiError.status,
        request_id: requestId,
        ...(apiError.details === undefined ? {} : { details: apiError.details }),
      },
    };
    sendJson(res, envelope);
  };
}
