import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract.js';
import { withRouteCache } from '../../src/http/validator-route-cache.js';
import { specFile } from '../../src/paths.js';

const contract = loadContract(specFile);

/** The real validator on the real contract, its route lookups counted, answering what it put on the request. */
function countedApp(): { app: express.Express; lookups: () => number } {
  let lookups = 0;
  const handlers = (
    OpenApiValidator.middleware({
      apiSpec: structuredClone(contract.document) as never,
      validateApiSpec: false,
      validateRequests: { allowUnknownQueryParameters: true },
      validateResponses: true,
      validateSecurity: false,
    }) as unknown as RequestHandler[]
  ).map((handler) => {
    if (handler.name !== 'metadataMiddleware') return handler;
    const counted: RequestHandler = (req, res, next) => {
      lookups += 1;
      return handler(req, res, next);
    };
    Object.defineProperty(counted, 'name', { value: 'metadataMiddleware' });
    return counted;
  });
  const app = express();
  app.use(withRouteCache(handlers, contract));
  app.use((req, res) => {
    const { expressRoute, openApiRoute, pathParams, schema } = (req as { openapi?: Record<string, unknown> })
      .openapi as Record<string, unknown>;
    // Not res.json: the response validator checks what goes through that, and 299 is nowhere in the contract.
    res
      .status(299)
      .type('json')
      .end(
        JSON.stringify({
          expressRoute,
          openApiRoute,
          pathParams,
          operationId: (schema as { operationId: string }).operationId,
          hasResponseSchema: '_responseSchema' in ((req as { openapi?: object }).openapi ?? {}),
        }),
      );
  });
  app.use(((error, _req, res, _next) => {
    res.status(error.status ?? 500).json({ message: error.message, headers: error.headers ?? null });
  }) as express.ErrorRequestHandler);
  return { app, lookups: () => lookups };
}

let base: string;
let counted: ReturnType<typeof countedApp>;
let server: ReturnType<express.Express['listen']>;
beforeAll(async () => {
  counted = countedApp();
  server = counted.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

async function get(path: string, method = 'GET'): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, { method });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the validator route cache', () => {
  it('asks the validator once per operation, then answers what it answered, with each path its own parameters', async () => {
    const before = counted.lookups();
    const first = await get('/users/usr_first');
    const second = await get('/users/usr_second');
    const third = await get('/users/usr_%C3%A9');
    expect(counted.lookups() - before).toBe(1);
    expect(first.body).toEqual({
      expressRoute: '/users/:id',
      openApiRoute: '/users/{id}',
      pathParams: { id: 'usr_first' },
      operationId: 'getUser',
      hasResponseSchema: true,
    });
    expect(second.body).toEqual({ ...first.body, pathParams: { id: 'usr_second' } });
    expect(third.body.pathParams).toEqual({ id: 'usr_é' });
  });

  it('matches as the validator does: case and a trailing slash, each path once per method', async () => {
    await get('/healthz');
    const before = counted.lookups();
    for (const path of ['/healthz', '/HEALTHZ', '/healthz/', '/healthz?x=1']) {
      expect((await get(path)).body.operationId).toBe('getHealth');
    }
    expect(counted.lookups() - before).toBe(0);
  });

  it('leaves unknown paths, undocumented methods and malformed percent-encoding to the validator, every time', async () => {
    await get('/users/usr_first');
    const before = counted.lookups();
    expect((await get('/nowhere')).status).toBe(404);
    expect((await get('/nowhere')).status).toBe(404);
    const refused = await get('/healthz', 'DELETE');
    expect(refused.status).toBe(405);
    expect(refused.body.headers).toEqual({ Allow: 'GET' });
    expect((await get('/users/%E0%A4%A')).status).toBe(400);
    expect((await get('/users/%E0%A4%A')).status).toBe(400);
    expect(counted.lookups() - before).toBe(5);
  });
});
