/**
 * The HTTP side: a node:http server on 127.0.0.1 that reads each request, runs the handler, then delivers the
 * response with gzip (when accepted), the latency model and the delivery faults (latency, truncate, malformed,
 * wrong-content-type, oversized, reset), and logs it. `close()` cancels pending delays and drops connections.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { DEFAULT_FAULT_DELAY_MS, FaultPicker } from './faults.js';
import { isBulkPath, serveBulk } from './bulk-serve.js';
import { isGridMonitorPath, serveGridMonitor } from './gridmon-serve.js';
import { handle, type Handled, type HandlerState, type SimRequest, type SimResponse } from './handler.js';
import { jitterUnit } from './headers.js';
import type { ResolvedOptions } from './options.js';
import { RequestLog } from './request-log.js';
import { Throttle } from './throttle.js';

const gzip = promisify(zlib.gzip);
/** Salt of the arrival-jitter draw (independent of the latency model's draw for the same request). */
const ARRIVAL_SALT = 0x2f6b_91c3;

/** A running simulator server. */
export interface RunningServer {
  readonly port: number;
  readonly log: RequestLog;
  readonly state: HandlerState;
  close(): Promise<void>;
}

/** Start serving on 127.0.0.1:`port` (0 = ephemeral). */
export async function startServer(opts: ResolvedOptions, port: number): Promise<RunningServer> {
  const state: HandlerState = {
    opts,
    throttle: opts.budget ? new Throttle(opts.budget, opts.throttleMode, opts.suspendMs) : null,
    faults: new FaultPicker(opts),
    unknownPaths: 0,
  };
  const log = new RequestLog(opts.requestLogPath);
  const timers = new Set<NodeJS.Timeout>();
  let count = 0;
  let closing = false;
  const bulkRespondents = opts.bulkRespondents ? new Set(opts.bulkRespondents) : null;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const server = http.createServer((req, res) => {
    const n = ++count;
    // Arrival jitter: the request reaches the "gateway" (stamp, budget) a seeded random 0…J ms later, as a real
    // network delays each request by a different amount. The stamp is the arrival + j, not when the timer fires:
    // a busy event loop (generating a page) would otherwise fire several expired timers at once and bunch them.
    const j = opts.arrivalJitterMs > 0 ? opts.arrivalJitterMs * jitterUnit(opts.seed ^ ARRIVAL_SALT, n) : 0;
    const t = Date.now() + j;
    const t0 = performance.now() + j;
    if (j > 0) void sleep(j).then(() => (closing ? res.destroy() : serve(req, res, n, t, t0)));
    else serve(req, res, n, t, t0);
  });

  function serve(req: http.IncomingMessage, res: http.ServerResponse, n: number, t: number, t0: number): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    // The bulk facility is keyless and outside the API's budget and faults (bulk-serve.ts).
    if (isBulkPath(path)) return void serveBulk(opts, bulkRespondents, req, res, path).catch(() => res.destroy());
    if (isGridMonitorPath(path)) return void serveGridMonitor(opts, bulkRespondents, req, res, path).catch(() => res.destroy());
    const hasBody = req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0' || req.headers['transfer-encoding'] !== undefined;
    const chunks: Buffer[] = [];
    if (hasBody) req.on('data', (c: Buffer) => chunks.push(c));
    else req.resume();
    req.on('end', () => {
      const sreq: SimRequest = { n, method: req.method ?? 'GET', path, query, headers: req.headers, body: hasBody ? Buffer.concat(chunks) : null, countedAt: t0 };
      let handled: Handled;
      try {
        handled = handle(state, sreq);
      } catch (err) {
        handled = { response: { status: 500, headers: ['Content-Type', 'text/plain'], body: `simulator bug: ${String(err)}`, rows: 0, compressible: false }, route: null, params: {}, keyHash: '', fault: null };
      }
      deliver(sreq, handled, res, t, t0).catch(() => res.destroy());
    });
  }

  async function deliver(req: SimRequest, h: Handled, res: http.ServerResponse, t: number, t0: number): Promise<void> {
    const r = h.response;
    const entry = { t, keyHash: h.keyHash, method: req.method, path: req.path, route: h.route, params: h.params, fault: h.fault };
    const finish = (status: number, rows: number, bytes: number) =>
      log.add({ ...entry, status, rows, bytes, latencyMs: Math.round((performance.now() - t0) * 100) / 100 });
    const lat = opts.latency;
    let delay = lat ? lat.baseMs + lat.perRowMs * (r?.rows ?? 0) + lat.jitterMs * jitterUnit(opts.seed, req.n) : 0;
    if (h.fault === 'latency') delay += opts.faults?.delayMs ?? DEFAULT_FAULT_DELAY_MS;
    if (delay > 0) await sleep(delay);
    // A request the client gave up on (timeout) still arrived and counts against the budget: log it.
    if (closing || res.destroyed) return finish(0, 0, 0);
    if (r === null) {
      const sock = res.socket as (Socket & { resetAndDestroy?: () => void }) | null;
      if (sock?.resetAndDestroy) sock.resetAndDestroy();
      else sock?.destroy();
      finish(0, 0, 0);
      return;
    }
    if (r.oversized !== undefined) return streamOversized(r, res, finish);
    let body = r.body;
    if (h.fault === 'malformed') body = body.slice(0, Math.max(1, Math.floor(body.length * 0.6)));
    let buf = Buffer.from(body, 'utf8');
    const headers = r.headers.slice();
    if (h.fault === 'wrong-content-type') {
      const i = headers.indexOf('Content-Type');
      if (i >= 0) headers[i + 1] = 'text/plain; charset=UTF-8';
    }
    if (r.compressible && buf.length > 0 && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      buf = await gzip(buf, { level: opts.gzipLevel });
      headers.push('Content-Encoding', 'gzip');
      if (closing || res.destroyed) return finish(0, 0, 0);
    }
    headers.push('Content-Length', String(buf.length));
    if (h.fault === 'truncate') {
      const part = buf.subarray(0, Math.floor(buf.length / 2));
      res.writeHead(r.status, headers);
      res.write(part, () => res.socket?.destroy());
      finish(r.status, r.rows, part.length);
      return;
    }
    res.writeHead(r.status, headers);
    res.end(buf);
    finish(r.status, r.rows, buf.length);
  }

  function streamOversized(r: SimResponse, res: http.ServerResponse, finish: (s: number, rows: number, b: number) => void): void {
    const total = r.oversized!;
    const head = Buffer.from('{"response":{"total":"1","dateFormat":"YYYY-MM-DD\\"T\\"HH24","frequency":"hourly","data":[');
    const tail = Buffer.from(']}}');
    const pad = Buffer.alloc(64 * 1024, 0x20);
    res.writeHead(r.status, [...r.headers, 'Content-Length', String(total)]);
    let sent = 0;
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      finish(r.status, 0, sent);
    };
    const write = (b: Buffer) => {
      sent += b.length;
      return res.write(b);
    };
    write(head);
    const pump = () => {
      while (!res.destroyed && sent < total - tail.length) {
        const n = Math.min(pad.length, total - tail.length - sent);
        if (!write(n === pad.length ? pad : pad.subarray(0, n))) return void res.once('drain', pump);
      }
      if (!res.destroyed) {
        res.end(tail);
        sent += tail.length;
      }
      done();
    };
    res.on('close', () => {
      res.removeAllListeners('drain');
      done(); // the client stopped reading: the request is still logged
    });
    pump();
  }

  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    log,
    state,
    async close() {
      if (closing) return;
      closing = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await log.close();
    },
  };
}
