import type { RequestHandler, Response } from 'express';
import { matchedOperation } from '../contract.js';
import type { ServiceMetrics } from './service-metrics.js';

const STARTED = Symbol('gatehouse.requestStarted');

type Timed = Response & { [STARTED]?: number };

/**
 * Counts and times every answer by the operation the validator matched. Mounted first; the
 * finish listener is one shared function, so a request allocates nothing here but its timestamp.
 */
export function requestMetrics(metrics: ServiceMetrics): RequestHandler {
  function onFinish(this: Timed): void {
    const req = this.req;
    const operation = matchedOperation(req)?.schema?.operationId ?? 'unmatched';
    const seconds = (performance.now() - (this[STARTED] ?? 0)) / 1000;
    metrics.observeRequest(operation, req.method, this.statusCode, seconds);
  }
  return (_req, res, next) => {
    (res as Timed)[STARTED] = performance.now();
    res.on('finish', onFinish);
    next();
  };
}
