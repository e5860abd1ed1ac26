import { randomUUID } from 'node:crypto';
import { createServer, type RequestListener, type Server, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ExpressPrototypes, messageClassesFor } from './express-messages.js';

export interface ServerLimits {
  /** Time a client has to send all request headers. */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request, body included. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
  /** Request headers beyond this size are refused with 431. */
  maxHeaderBytes: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 16 * 1024,
};

const CLIENT_ERROR_STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/**
 * Requests Node refuses before Express sees them (headers too large, too slow, unparseable)
 * still get the error envelope, as far as a half-read connection allows.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // Once an answer has begun, nothing more can be said on this connection but closing it.
  const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (error.code === 'ECONNRESET' || !socket.writable || started) {
    socket.destroy();
    return;
  }
  const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400;
  const requestId = randomUUID();
  const message =
    status === 431
      ? 'Request headers are too large'
      : status === 408
        ? 'Request was not received in time'
        : 'Request could not be read';
  const body = JSON.stringify({
    error: { type: 'invalid_request_error', message, status_code: status, request_id: requestId },
  });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Cache-Control: no-store\r\n' +
      `X-Request-Id: ${requestId}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/**
 * The HTTP server for an app, with the limits that keep a client sending half a request from
 * holding a connection for long. Used by the entry file, the tests and the benchmark alike.
 * Given the Express app whose prototypes its requests and responses will get (the app itself,
 * or what wraps it), it makes them with those prototypes from the start (messageClassesFor).
 */
export function createHttpServer(
  app: RequestListener,
  limits: ServerLimits = DEFAULT_SERVER_LIMITS,
  express?: ExpressPrototypes,
): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      maxHeaderSize: limits.maxHeaderBytes,
      // Node enforces both timeouts only when it sweeps its connections; its default sweep is every 30 s.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
      ...(express === undefined ? {} : messageClassesFor(express)),
    },
    app,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.on('clientError', answerClientError);
  return server;
}

/** Listens and resolves with the address actually bound (port 0 picks a free one). */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
