import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { matchedOperation } from '../contract.js';
import { type ApiError, tooManyRequests } from '../errors/api-error.js';
import type { MetricHooks } from '../metrics/hooks.js';
import { type Consumed, type CounterStore, consume } from './counters.js';
import { addressKey, type RateLimitPolicy, rateLimitHeaders, retryAfterSeconds, tightestState } from './decisions.js';

export const RATE_LIMITED_MESSAGE = 'Too many requests, try again later';

/** The contract marks operations outside the limit (health, readiness, docs) with `x-rate-limited: false`. */
export interface ClientRateLimit {
  /** Mounted after the validator: counts authenticated requests by credential, anonymous ones by address. */
  afterAuthentication: RequestHandler;
  /** Mounted before the error handler: counts, by address, requests turned away before that point. */
  onError: ErrorRequestHandler;
  /**
   * Starts counting a request for the caller an authenticator expects it to turn out to be, so
   * the count goes to the counter store together with the authenticator's own reads (one round
   * trip, not two). The request is still counted once, by its final credential: if that is not
   * the caller expected, the early count is given back.
   */
  countAhead(req: Request, caller: CountedCaller): void;
}

/** What the limit needs of an authenticated caller: whose it is, and the key it came with, if any. */
export interface CountedCaller {
  user: { id: string };
  apiKey?: { id: string };
}

/**
 * The buckets a request is charged to. Humans are limited per user (Basic and sessions alike);
 * an API key per key and also against its owner, so minting keys does not multiply the limit.
 */
export function clientKeys(principal: CountedCaller | undefined, ip: string | undefined): string[] {
  if (principal === undefined) return [addressKey(ip)];
  if (principal.apiKey !== undefined) return [`api_key:${principal.apiKey.id}`, `user:${principal.user.id}`];
  return [`user:${principal.user.id}`];
}

function isExempt(req: Request): boolean {
  return matchedOperation(req)?.schema?.['x-rate-limited'] === false;
}

/**
 * The per-client request limit (default 100 per 15 minutes). Each request is counted once,
 * keyed by its credential once authentication has found one, by its address before; every
 * counted answer carries RateLimit-Policy and RateLimit, a refused one also Retry-After.
 */
export function createClientRateLimit(
  counters: CounterStore,
  policy: RateLimitPolicy,
  logger: Logger,
  metrics: MetricHooks,
): ClientRateLimit {
  const counter = counters.create({ name: 'client', points: policy.max, windowSeconds: policy.windowSeconds });
  const counted = new WeakSet<Request>();
  const early = new WeakMap<Request, { keys: string[]; results: Promise<Consumed[]> }>();

  const consumeAll = (keys: string[]): Promise<Consumed[]> => Promise.all(keys.map((key) => consume(counter, key)));

  /** The counts of the request's buckets: those counted ahead when they are the right ones. */
  const countedFor = async (req: Request): Promise<Consumed[]> => {
    const keys = clientKeys(req.auth?.principal, req.ip);
    const ahead = early.get(req);
    early.delete(req);
    if (ahead === undefined) return consumeAll(keys);
    if (ahead.keys.join(' ') === keys.join(' ')) return ahead.results;
    const givenBack = ahead.results.then(
      () => Promise.all(ahead.keys.map((key) => counter.add(key, -1))),
      () => undefined,
    );
    const [results] = await Promise.all([consumeAll(keys), givenBack]);
    return results;
  };

  const count = async (req: Request, res: Response): Promise<ApiError | undefined> => {
    counted.add(req);
    try {
      const results = await countedFor(req);
      const state = tightestState(
        policy,
        results.map((result) => result.state),
      );
      res.set(rateLimitHeaders(policy, state));
      if (!results.some((result) => result.limited)) return undefined;
      metrics.refused('rate_limit');
      return tooManyRequests(RATE_LIMITED_MESSAGE, retryAfterSeconds(state.msBeforeReset));
    } catch (error) {
      // The counter store failed outright: serving without a limit beats refusing everyone.
      logger.warn({ err: error }, 'rate limit counter unavailable; request not counted');
      return undefined;
    }
  };

  return {
    afterAuthentication: (req, res, next) => {
      if (isExempt(req)) return next();
      count(req, res).then(next, next);
    },
    onError: (error, req, res, next) => {
      if (counted.has(req) || isExempt(req) || res.headersSent) return next(error);
      count(req, res).then((limited) => next(limited ?? error), next);
    },
    countAhead: (req, caller) => {
      if (counted.has(req) || early.has(req) || isExempt(req)) return;
      const results = consumeAll(clientKeys(caller, req.ip));
      // Its failure is met where the results are used; until then it must not go unhandled.
      results.catch(() => undefined);
      early.set(req, { keys: clientKeys(caller, req.ip), results });
    },
  };
}
