import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson } from '../../src/send-json.js';

const BODIES: Record<string, unknown> = {
  ascii: { message: 'Welcome john!' },
  unicode: { message: 'Grüße, 世界 🙂', list: [1, null, true] },
  empty: {},
  string: 'just a string',
  large: { items: Array.from({ length: 300 }, (_, i) => ({ id: `item_${i}`, note: 'x'.repeat(20) })) },
};

/** Two apps alike but for how they answer: `/express/:name` through res.json, `/ours/:name` through sendJson. */
function app(): express.Express {
  const built = express();
  for (const [via, answer] of [
    ['express', (res: express.Response, body: unknown) => res.json(body)],
    ['ours', sendJson],
  ] as const) {
    built.all(`/${via}/:name`, (req, res) => {
      res.status(Number(req.query.status ?? 200));
      if (req.query.type !== undefined) res.type(String(req.query.type));
      answer(res, BODIES[req.params.name]);
    });
  }
  return built;
}

interface Raw {
  status: number;
  headers: string[];
  body: string;
}

describe('sendJson', () => {
  let port = 0;
  let close: () => void = () => undefined;
  beforeAll(async () => {
    const server = app().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
    close = () => server.close();
  });
  afterAll(() => close());

  /** The answer as sent: status, raw header lines in order (Date left out), body. */
  const raw = (path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Raw> =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const lines: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2)
            if (res.rawHeaders[i] !== 'Date') lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
          resolve({ status: res.statusCode ?? 0, headers: lines, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.on('error', reject);
      req.end();
    });

  const same = async (path: string, method?: string, headers?: Record<string, string>): Promise<Raw> => {
    const ours = await raw(`/ours/${path}`, method, headers);
    expect(ours).toEqual(await raw(`/express/${path}`, method, headers));
    return ours;
  };

  it.each(Object.keys(BODIES))('answers the %s body byte for byte as res.json does', async (name) => {
    const answer = await same(name);
    expect(answer.headers).toContain('Content-Type: application/json; charset=utf-8');
    expect(answer.headers.some((line) => line.startsWith('ETag: W/"'))).toBe(true);
    expect(JSON.parse(answer.body)).toEqual(BODIES[name]);
  });

  it('answers other statuses alike, a 201 and a 401', async () => {
    expect((await same('ascii?status=201')).status).toBe(201);
    expect((await same('ascii?status=401')).status).toBe(401);
  });

  it('answers HEAD with the headers and no body, as res.json does', async () => {
    const answer = await same('unicode', 'HEAD');
    expect(answer.body).toBe('');
    expect(answer.headers.some((line) => line.startsWith('Content-Length: '))).toBe(true);
  });

  it('leaves conditional requests, bodiless statuses and a set Content-Type to res.json (304 included)', async () => {
    const { headers } = await raw('/ours/ascii');
    const etag = (headers.find((line) => line.startsWith('ETag: ')) ?? '').slice('ETag: '.length);
    expect((await same('ascii', 'GET', { 'If-None-Match': etag })).status).toBe(304);
    expect((await same('ascii?status=204')).body).toBe('');
    await same('ascii?type=application/problem%2Bjson');
  });
});
