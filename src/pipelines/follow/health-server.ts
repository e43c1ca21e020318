/**
 * The follower's HTTP endpoint: `GET /metrics` (Prometheus text format) and `GET /healthz` (200 while the last
 * successful cycle is recent, 503 otherwise, with a one-line JSON reason). Nothing else is served; it binds to
 * loopback unless told otherwise, since the figures describe a private data directory.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Health } from './schedule.js';
import type { FollowMetrics } from './metrics.js';

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHealthServer(opts: {
  port: number;
  host?: string;
  metrics: FollowMetrics;
  health: () => Health;
}): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      const h = opts.health();
      res.writeHead(h.healthy ? 200 : 503, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify({ status: h.healthy ? 'ok' : 'stale', ageSeconds: h.ageMs === null ? null : Math.round(h.ageMs / 1000), reason: h.reason })}\n`);
      return;
    }
    if (path === '/metrics') {
      opts.metrics.render().then(
        ({ body, contentType }) => res.writeHead(200, { 'content-type': contentType }).end(body),
        (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(e)}\n`),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
