import { createServer, type Server } from 'node:http';

export interface Scrape {
  contentType: string;
  metrics(): Promise<string>;
}

/**
 * The Prometheus listener: its own port and host (loopback by default), so metrics are never
 * served on the public port by accident. It answers GET /metrics and nothing else.
 */
export function createMetricsServer(scrape: Scrape, onError: (error: unknown) => void): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: try GET /metrics\n');
      return;
    }
    scrape.metrics().then(
      (body) => {
        res.writeHead(200, { 'content-type': scrape.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        onError(error);
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics could not be collected\n');
      },
    );
  });
}
