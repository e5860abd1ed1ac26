import type { RequestHandler, Response } from 'express';
import { matchedOperation } from '../contract.js';
import { elapsedMs, markRequestStart } from '../http/request-timing.js';
import type { ServiceMetrics } from './service-metrics.js';

/**
 * Counts and times every answer by the operation the validator matched. Mounted first; the
 * finish listener is one shared function, so a request allocates nothing here; the start is the
 * one the request log reads too.
 */
export function requestMetrics(metrics: ServiceMetrics): RequestHandler {
  function onFinish(this: Response): void {
    const req = this.req;
    const operation = matchedOperation(req)?.schema?.operationId ?? 'unmatched';
    const seconds = elapsedMs(this) / 1000;
    metrics.observeRequest(operation, req.method, this.statusCode, seconds);
  }
  return (_req, res, next) => {
    markRequestStart(res);
    res.on('finish', onFinish);
    next();
  };
}
