import type { components } from '../../generated/openapi.js';

/** The error envelope of every 4xx/5xx answer, as openapi.yaml documents it. */
export type ErrorEnvelope = components['schemas']['Error'];
export type ErrorBody = ErrorEnvelope['error'];
export type ErrorType = ErrorBody['type'];
export type ErrorDetail = NonNullable<ErrorBody['details']>[number];

export interface ApiErrorOptions {
  details?: ErrorDetail[];
  headers?: Record<string, string>;
  /** What goes to the log, never to the client. */
  internal?: string;
}

/**
 * The one error type of the service: a status, a public type and message, and optional headers.
 * It is an answer, not a fault: made without a stack trace, whose capture was the largest cost
 * of a 401 of ours (a 500's cause is logged from the original error, never from this one).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly details: ErrorDetail[] | undefined;
  readonly headers: Record<string, string>;
  readonly internal: string | undefined;

  constructor(status: number, type: ErrorType, message: string, options: ApiErrorOptions = {}) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
    this.status = status;
    this.type = type;
    this.name = 'ApiError';
    this.details = options.details;
    this.headers = options.headers ?? {};
    this.internal = options.internal;
  }
}

export const badRequest = (message: string): ApiError => new ApiError(400, 'invalid_request_error', message);
export const notFound = (message: string): ApiError => new ApiError(404, 'not_found_error', message);
export const forbidden = (message: string): ApiError => new ApiError(403, 'authorization_error', message);
/** A session-authenticated unsafe request without the session's CSRF token. */
export const csrfFailed = (message: string): ApiError => new ApiError(403, 'csrf_error', message);
export const conflict = (message: string): ApiError => new ApiError(409, 'conflict_error', message);
/** A dependency (the store) did not answer; `cause` goes to the log only. */
export function unavailable(message: string, cause?: unknown): ApiError {
  const internal = cause === undefined ? undefined : cause instanceof Error ? cause.message : String(cause);
  return new ApiError(503, 'unavailable_error', message, { internal });
}

export function unauthenticated(message: string, challenges: string[] = []): ApiError {
  const headers: Record<string, string> = challenges.length > 0 ? { 'WWW-Authenticate': challenges.join(', ') } : {};
  return new ApiError(401, 'authentication_error', message, { headers });
}

export function validationFailed(details: ErrorDetail[]): ApiError {
  return new ApiError(422, 'validation_error', 'Request validation failed', { details });
}

/** A credential held back by the brute-force throttle, whichever route presented it. */
export const THROTTLED_MESSAGE = 'Too many failed attempts, try again later';

export function tooManyRequests(message: string, retryAfterSeconds: number): ApiError {
  return new ApiError(429, 'rate_limit_error', message, {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });
}
