import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chain } from '../../src/http/middleware-chain.js';

const ran = new WeakMap<object, string[]>();
const mark =
  (name: string, then: (next: (error?: unknown) => void) => unknown = (next) => next()): RequestHandler =>
  (req, _res, next) => {
    ran.get(req)?.push(name);
    return then(next) as undefined;
  };

/** An app whose one chain steps as the `?step=` of the request says, answering the steps that ran. */
function app(): express.Express {
  const built = express();
  built.use((req, _res, next) => {
    ran.set(req, []);
    next();
  });
  const failing = (req: express.Request, how: string): boolean => req.query.fail === how;
  built.use(
    chain([
      mark('first'),
      (req, res, next) => {
        ran.get(req)?.push('second');
        if (failing(req, 'next')) return next(new Error('by next'));
        if (failing(req, 'throw')) throw new Error('by throw');
        if (failing(req, 'reject')) return Promise.reject(new Error('by rejection')) as never;
        if (failing(req, 'answer')) return void res.status(202).json({ ran: ran.get(req) });
        next();
      },
      mark('third', (next) => setImmediate(next)),
    ]),
  );
  built.use((req, res) => {
    res.json({ ran: ran.get(req) });
  });
  const errors: ErrorRequestHandler = (error: Error, req, res, _next) => {
    res.status(500).json({ ran: ran.get(req), error: error.message });
  };
  built.use(errors);
  return built;
}

describe('chain', () => {
  let base = '';
  let close: () => void = () => undefined;
  beforeAll(async () => {
    const server = app().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  const call = async (query: string): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${base}/${query}`);
    return { status: response.status, body: await response.json() };
  };

  it('runs every middleware in order, synchronous or not, then the next layer', async () => {
    expect(await call('')).toEqual({ status: 200, body: { ran: ['first', 'second', 'third'] } });
  });

  it('a middleware that answers ends the chain', async () => {
    expect(await call('?fail=answer')).toEqual({ status: 202, body: { ran: ['first', 'second'] } });
  });

  it.each([
    ['next', 'by next'],
    ['throw', 'by throw'],
    ['reject', 'by rejection'],
  ])('an error by %s skips the rest of the chain and goes to the error handlers', async (how, message) => {
    expect(await call(`?fail=${how}`)).toEqual({ status: 500, body: { ran: ['first', 'second'], error: message } });
  });
});
