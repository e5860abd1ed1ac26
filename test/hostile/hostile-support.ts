import { connect } from 'node:net';
import { expect } from 'vitest';
import type { ErrorEnvelope } from '../../src/errors/api-error.js';
import { basic, bearer, expectEnvelope, startTestApp, type TestApp, type TestResponse } from '../support/test-app.js';

/** Limits high enough that the hostile requests themselves are not what gets refused. */
export function startHostileApp(): Promise<TestApp> {
  return startTestApp({ config: { rateLimitMax: 100_000, loginMaxFailures: 1_000, loginIpMaxFailures: 100_000 } });
}

/** A refusal as every layer must give it: a 4xx in the envelope, never cached. */
export function expectRefused(response: TestResponse, status: number, type: string): void {
  expectEnvelope(response, status, type);
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.headers['content-type']).toMatch(/^application\/json/);
}

/** Secrets the hostile requests carry somewhere; none may reach a log line. */
export const HOSTILE_SECRETS = [
  'secret123',
  'password123',
  'supersecret',
  'sk_test_123',
  'sk_live_456',
  'c2VjcmV0MTIz',
  'am9objpzZWNyZXQxMjM',
];

/** After the onslaught the service still answers, still signs people in, and logged nothing secret. */
export async function expectHealthyAndDiscreet(app: TestApp): Promise<void> {
  expect((await app.call('GET', '/healthz')).status).toBe(200);
  expect((await app.call('GET', '/readyz')).status).toBe(200);
  expect((await app.call('GET', '/basic/profile', { headers: basic('john', 'secret123') })).json).toEqual({
    message: 'Welcome john!',
  });
  expect((await app.call('GET', '/apikey/data', { headers: bearer('sk_test_123') })).status).toBe(200);
  expect((await app.call('POST', '/login', { body: { username: 'alice', password: 'password123' } })).status).toBe(200);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(app.logs.length).toBeGreaterThan(0);
  const all = app.logs.join('\n');
  for (const secret of HOSTILE_SECRETS) expect(all).not.toContain(secret);
  expect(app.logs.some((line) => JSON.parse(line).level >= 50)).toBe(false);
}

/** For requests an HTTP client refuses to send (raw bytes in headers, duplicate headers). */
export function rawExchange(url: string, data: Buffer | string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('latin1');
      const headerEnd = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(text);
      if (headerEnd >= 0 && length !== null && Buffer.concat(chunks).length >= headerEnd + 4 + Number(length[1]))
        socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.write(data);
  });
}

export function rawStatus(raw: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
}

export function rawJson(raw: string): ErrorEnvelope {
  return JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as ErrorEnvelope;
}
