import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

export interface DrainPolicy {
  /** Requests in flight get this long to finish; then their connections are cut. */
  timeoutMs: number;
  /** Idle keep-alive connections stay open this long, so a request already on its way is answered, not reset. */
  idleGraceMs: number;
}

export type DrainResult = 'drained' | 'timed out';

const TICK_MS = 20;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The response a socket is serving right now, if any (Node keeps it there until it ends). */
function responseOn(socket: Socket): ServerResponse | undefined {
  return (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
}

/**
 * Stops an HTTP server without failing a single client. Node's own `server.close()` drops idle
 * keep-alive connections at once, so a client whose next request is already on the wire sees a
 * reset. Here the listener stops accepting first; every answer from then on says
 * `Connection: close`, so clients leave by themselves after it; idle connections are closed only
 * after a grace; requests in flight finish, up to the timeout.
 */
export class ConnectionDrain {
  private readonly sockets = new Set<Socket>();
  private draining = false;

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // Before the app's own listener, which may answer synchronously.
    server.prependListener('request', (_req, res: ServerResponse) => {
      if (this.draining) res.setHeader('Connection', 'close');
    });
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  async drain(policy: DrainPolicy): Promise<DrainResult> {
    if (this.draining) return 'drained';
    this.draining = true;
    // net.Server's close only stops accepting; http.Server's would also drop idle keep-alive sockets now.
    NetServer.prototype.close.call(this.server);
    for (const socket of this.sockets) {
      const response = responseOn(socket);
      if (response !== undefined && !response.headersSent) response.setHeader('Connection', 'close');
    }
    const started = Date.now();
    const graceEnds = started + Math.min(policy.idleGraceMs, policy.timeoutMs);
    const deadline = started + policy.timeoutMs;
    while (this.sockets.size > 0 && Date.now() < graceEnds) await sleep(TICK_MS);
    while (this.sockets.size > 0 && Date.now() < deadline) {
      this.server.closeIdleConnections();
      await sleep(TICK_MS);
    }
    const result: DrainResult = this.sockets.size === 0 ? 'drained' : 'timed out';
    this.server.closeAllConnections();
    // Clears http.Server's own timers; the listener is already closed.
    this.server.close(() => {});
    return result;
  }
}
