import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorEnvelope } from '../../src/errors/api-error.js';
import { expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The same createHttpServer the entry file uses, with its timeouts shortened so a test can
 * watch a slow client being cut off while other clients are served.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ serverLimits: { headersTimeoutMs: 400, requestTimeoutMs: 800 } });
});
afterAll(() => app.close());

interface RawAnswer {
  text: string;
  closedAfterMs: number;
}

/** Opens a raw connection, writes `data` and waits until the server closes it. */
function rawRequest(data: string): { socket: Socket; answer: Promise<RawAnswer> } {
  const { port } = new URL(app.url);
  const started = Date.now();
  const socket = connect(Number(port), '127.0.0.1');
  const chunks: Buffer[] = [];
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () =>
      resolve({ text: Buffer.concat(chunks).toString('utf8'), closedAfterMs: Date.now() - started }),
    );
  });
  socket.write(data);
  return { socket, answer };
}

function bodyOf(raw: string): ErrorEnvelope {
  return JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as ErrorEnvelope;
}

describe('a client that sends half a request', () => {
  it('408 and closed once the headers timeout passes; others are served meanwhile', async () => {
    const slow = rawRequest('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    const other = await app.call('GET', '/healthz');
    expect(other.status).toBe(200);
    const { text, closedAfterMs } = await slow.answer;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyOf(text).error).toMatchObject({ type: 'invalid_request_error', status_code: 408 });
    expect(closedAfterMs).toBeLessThan(3_000);
  });

  it('408 and closed when the body stops halfway, once the request timeout passes', async () => {
    const slow = rawRequest(
      'POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"username":',
    );
    expect((await app.call('GET', '/healthz')).status).toBe(200);
    const { text, closedAfterMs } = await slow.answer;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeLessThan(4_000);
  });
});

describe('absurd requests Node refuses before the app', () => {
  it('431 in the envelope for request headers over 16 KB', async () => {
    const { answer } = rawRequest(`GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const { text } = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
    expect(text).toMatch(/\r\ncache-control: no-store\r\n/i);
    const body = bodyOf(text);
    expect(body.error).toMatchObject({
      type: 'invalid_request_error',
      status_code: 431,
      message: 'Request headers are too large',
    });
    expect(text).toContain(`X-Request-Id: ${body.error.request_id}`);
  });

  it('431 for an Authorization header of absurd length', async () => {
    const { answer } = rawRequest(
      `GET /basic/profile HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic ${'QUFB'.repeat(5_000)}\r\n\r\n`,
    );
    expect((await answer).text).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('401 for credentials just under the header limit (15 KB API key, 15 KB cookie)', async () => {
    expectEnvelope(
      await app.call('GET', '/apikey/data', { headers: { 'x-api-key': 'k'.repeat(15_000) } }),
      401,
      'authentication_error',
    );
    expectEnvelope(
      await app.call('GET', '/dashboard', { headers: { cookie: `gatehouse_session=${'a'.repeat(15_000)}` } }),
      401,
      'authentication_error',
    );
  });

  it('400 in the envelope for a request line that is not HTTP', async () => {
    const { answer } = rawRequest('HELLO THERE\r\n\r\n');
    const { text } = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(text).error.type).toBe('invalid_request_error');
  });

  it('the service is healthy afterwards', async () => {
    expect((await app.call('GET', '/healthz')).status).toBe(200);
    expectEnvelope(await app.call('GET', '/basic/profile'), 401, 'authentication_error');
  });
});
