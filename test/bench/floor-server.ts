import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NextFunction, Request, Response } from 'express';

/**
 * The floors the service is compared with, one per process: a JSON hello from raw node:http,
 * from bare Express 5, and from Express 5 behind express-openapi-validator on a one-route spec
 * (the stack Gatehouse is built on, with nothing of Gatehouse's own: the floor of every ratio).
 * Sends its port over IPC; stops when the benchmark disconnects. Each loads only the modules it
 * uses, so its RSS is its own.
 */
export type FloorKind = 'node-http' | 'express' | 'express-validator';

const HELLO = { message: 'hello' };

const ONE_ROUTE_SPEC = {
  openapi: '3.1.0',
  info: { title: 'floor', version: '1.0.0' },
  paths: {
    '/hello': {
      get: {
        operationId: 'hello',
        responses: {
          '200': {
            description: 'A greeting',
            content: {
              'application/json': {
                schema: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
              },
            },
          },
        },
      },
    },
  },
};

async function expressApp(withValidator: boolean): Promise<RequestListener> {
  const { default: express } = await import('express');
  const app = express();
  if (withValidator) {
    const OpenApiValidator = await import('express-openapi-validator');
    // As Gatehouse mounts it: body parser first, requests validated, responses not (production).
    app.use(express.json());
    app.use(
      OpenApiValidator.middleware({
        apiSpec: ONE_ROUTE_SPEC as never,
        validateApiSpec: false,
        validateRequests: { allowUnknownQueryParameters: true, allErrors: true },
        validateResponses: false,
      }),
    );
  }
  app.get('/hello', (_req, res) => {
    res.json(HELLO);
  });
  app.use((error: { status?: number; message?: string }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(error.status ?? 500).json({ message: error.message ?? 'error' });
  });
  return app;
}

const nodeHello: RequestListener = (_req, res) => {
  const body = JSON.stringify(HELLO);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

async function main(): Promise<void> {
  const kind = process.argv[2] as FloorKind;
  const server = createServer(kind === 'node-http' ? nodeHello : await expressApp(kind === 'express-validator'));
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  process.on('disconnect', () => process.exit(0));
}

void main();
