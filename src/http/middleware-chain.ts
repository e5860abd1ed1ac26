import type { RequestHandler } from 'express';

/**
 * Runs middlewares one after another as one layer of the app's router. The router pays for every
 * layer it walks (the path parsed and matched again, a closure for its parameters, its own
 * error bookkeeping), which made Gatehouse's sixteen small layers cost more than the work in
 * them; here each step costs one call. The contract is Express 5's: a middleware calls `next()`
 * to go on, or `next(error)` — or throws, or returns a rejected promise — to leave the chain for
 * the app's error handlers. Error-handling middlewares (four arguments) are not chained: they
 * stay layers of their own.
 */
export function chain(middlewares: readonly RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    let index = 0;
    const step = (error?: unknown): void => {
      if (error !== undefined && error !== null && error !== false) {
        next(error);
        return;
      }
      const middleware = middlewares[index++];
      if (middleware === undefined) {
        next();
        return;
      }
      try {
        const returned: unknown = middleware(req, res, step);
        if (returned instanceof Promise)
          returned.catch((rejection: unknown) => next(rejection ?? new Error('Rejected promise')));
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}
