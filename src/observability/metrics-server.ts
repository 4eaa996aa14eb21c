import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export const METRICS_PATH = '/metrics';

/** The Prometheus listener (METRICS_PORT on METRICS_HOST): `GET /metrics`, nothing else, apart from the API port. */
export function createMetricsServer(registry: Registry): Server {
  return createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== METRICS_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(text);
      },
      () => res.writeHead(500).end(),
    );
  });
}
