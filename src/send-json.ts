import type { Response } from 'express';

/** Statuses Express answers without a body (and so without its headers). */
const BODILESS = new Set([204, 205, 304]);

/**
 * Sends a JSON body with exactly the bytes and headers `res.json` gives it — `Content-Type:
 * application/json; charset=utf-8`, `Content-Length`, the app's weak `ETag` — without the work
 * res.json and res.send repeat for every answer: reading four app settings, parsing and
 * formatting the Content-Type twice, and checking freshness. Whenever Express would do more
 * than that, it is left to res.json: a conditional request (If-None-Match or If-Modified-Since,
 * which can become a 304), a status without a body, a Content-Type, ETag or Transfer-Encoding
 * already set, or a res.json of the response's own — the validator's response check (on in
 * tests) hooks res.json, and every answer must still pass through it. The app sets no JSON
 * replacer, spaces or escaping, so JSON.stringify writes what res.json would.
 */
export function sendJson(res: Response, body: unknown): void {
  const { headers, method } = res.req;
  if (
    Object.hasOwn(res, 'json') ||
    headers['if-none-match'] !== undefined ||
    headers['if-modified-since'] !== undefined ||
    BODILESS.has(res.statusCode) ||
    res.hasHeader('content-type') ||
    res.hasHeader('etag') ||
    res.hasHeader('transfer-encoding')
  ) {
    res.json(body);
    return;
  }
  const chunk = Buffer.from(JSON.stringify(body), 'utf8');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', chunk.length);
  const etag: unknown = (res.app.get('etag fn') as ((body: Buffer) => string) | undefined)?.(chunk);
  if (typeof etag === 'string') res.setHeader('ETag', etag);
  if (method === 'HEAD') res.end();
  else res.end(chunk);
}
