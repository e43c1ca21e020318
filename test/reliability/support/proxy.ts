/**
 * Reliability test support: an HTTP proxy in front of a simulator that logs every request on arrival (also the
 * ones the simulator's own log misses) and can answer scripted gateway 429s.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy saw of one request. */
export interface Arrival {
  /** 1-based arrival number. */
  n: number;
  /** Arrival time, epoch ms. */
  t: number;
  /** Status sent to the client; 0 = no response (client gave up, or the upstream reset). */
  status: number;
  /** Content-Length the upstream announced (−1 when none). */
  contentLength: number;
  /** Answered by the proxy itself with a scripted 429 (never forwarded). */
  scripted429: boolean;
  /** The client closed the connection before the response headers came (a client timeout), not after an upstream reset. */
  clientGaveUp: boolean;
  /** The upstream connection failed (reset) before a response. */
  upstreamFailed: boolean;
}

/** An HTTP proxy in front of a simulator that logs every request's arrival and can answer scripted 429s. */
export interface Proxy {
  /** `http://127.0.0.1:<port>/v2`. */
  readonly baseUrl: string;
  readonly arrivals: readonly Arrival[];
  close(): Promise<void>;
}

/** EIA's gateway body for a throttled key (docs/eia-api.md §9.2). */
export const OVER_RATE_LIMIT_BODY =
  '{"error":{"code":"OVER_RATE_LIMIT","message":"You have exceeded your rate limit. Try again later or contact us at https://api.eia.gov:443/contact/ for assistance"}}';

/**
 * Start a proxy to `targetBaseUrl` (a simulator's `baseUrl`). Every request is logged on arrival — also the ones
 * the simulator's own log misses. Requests whose arrival number is in `script429` get a 429 from the proxy.
 * Upstream resets and truncated bodies reach the client as such (the client socket is destroyed).
 */
export async function startProxy(targetBaseUrl: string, opts: { script429?: ReadonlySet<number> } = {}): Promise<Proxy> {
  const target = new URL(targetBaseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const arrivals: Arrival[] = [];
  const server = http.createServer((req, res) => {
    const a: Arrival = { n: arrivals.length + 1, t: Date.now(), status: 0, contentLength: -1, scripted429: false, clientGaveUp: false, upstreamFailed: false };
    arrivals.push(a);
    if (opts.script429?.has(a.n)) {
      a.scripted429 = true;
      a.status = 429;
      req.resume();
      res.writeHead(429, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(OVER_RATE_LIMIT_BODY) });
      res.end(OVER_RATE_LIMIT_BODY);
      return;
    }
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent });
    let answered = false;
    res.on('close', () => {
      if (!answered && !a.upstreamFailed) a.clientGaveUp = true;
      if (!res.writableFinished) up.destroy();
    });
    up.on('response', (ur) => {
      answered = true;
      a.status = ur.statusCode ?? 0;
      a.contentLength = ur.headers['content-length'] === undefined ? -1 : Number(ur.headers['content-length']);
      res.writeHead(ur.statusCode ?? 502, ur.rawHeaders);
      ur.pipe(res);
      ur.on('aborted', () => res.destroy());
      ur.on('error', () => res.destroy());
      ur.on('close', () => {
        if (!ur.complete) res.destroy();
      });
    });
    up.on('error', () => {
      if (!answered) a.upstreamFailed = true;
      res.destroy();
    });
    req.pipe(up);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname}`,
    arrivals,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}

