import { IncomingMessage, type Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, DEFAULT_SERVER_LIMITS, listen } from '../../src/http/listen.js';

interface Seen {
  /** The prototypes the objects had when Node handed them over, before Express ran. */
  requestIsTheApps: boolean;
  responseIsTheApps: boolean;
  nodeMessages: boolean;
}

/** An Express app behind createHttpServer, reporting what each request looked like on arrival. */
async function serve(withPrototypes: boolean): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const app = express();
  app.use(express.json());
  app.get('/hello', (req, res) => {
    res.json({ hello: req.query.name, secure: req.secure });
  });
  app.post('/echo', (req, res) => {
    res.status(201).json(req.body);
  });
  const server = createHttpServer(app, DEFAULT_SERVER_LIMITS, withPrototypes ? app : undefined);
  const seen: Seen[] = [];
  server.prependListener('request', (req, res) => {
    seen.push({
      requestIsTheApps: Object.getPrototypeOf(req) === app.request,
      responseIsTheApps: Object.getPrototypeOf(res) === app.response,
      nodeMessages: req instanceof IncomingMessage && res instanceof ServerResponse,
    });
  });
  const address: AddressInfo = await listen(server, 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${address.port}`, seen, server };
}

describe("requests and responses made with the app's prototypes", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });

  it('arrive with the prototypes Express would set, still Node messages, and answer as before', async () => {
    const { url, seen, server } = await serve(true);
    servers.push(server);
    const hello = await fetch(`${url}/hello?name=ada`);
    expect(hello.status).toBe(200);
    expect(await hello.json()).toEqual({ hello: 'ada', secure: false });
    const echo = await fetch(`${url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: [1, 2] }),
    });
    expect(echo.status).toBe(201);
    expect(await echo.json()).toEqual({ a: [1, 2] });
    expect(seen).toEqual([
      { requestIsTheApps: true, responseIsTheApps: true, nodeMessages: true },
      { requestIsTheApps: true, responseIsTheApps: true, nodeMessages: true },
    ]);
  });

  it("without the app, Node's own classes as before", async () => {
    const { url, seen, server } = await serve(false);
    servers.push(server);
    expect((await fetch(`${url}/hello?name=ada`)).status).toBe(200);
    expect(seen).toEqual([{ requestIsTheApps: false, responseIsTheApps: false, nodeMessages: true }]);
  });
});
