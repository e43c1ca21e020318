/**
 * The request handler, free of sockets: (method, path, query, headers, body) → a response descriptor plus the
 * facts the request log needs. Order of checks: route lookup (unknown paths are counted), params, gateway auth,
 * budget, injected fault, then the route itself. The server (server.ts) applies delivery faults and latency.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { DATASET_INFO } from '../core/catalog.js';
import { FaultPicker, REPLACING_FAULTS } from './faults.js';
import { canonicalRequest } from './fixture-replay.js';
import { APP_MESSAGE, GATEWAY_BODY, appErrorBody } from './messages.js';
import { resolveRoute, type Route } from './metadata.js';
import type { FaultKind, ResolvedOptions } from './options.js';
import { mergeParams, parseQuery, type Params } from './params.js';
import { keyHash } from './request-log.js';
import { appError, appResponse, faultResponse, gateway, type SimResponse } from './responses.js';
import { serveRoute } from './routes.js';
import type { Throttle } from './throttle.js';

export type { SimResponse } from './responses.js';

/** A request as the handler sees it. */
export interface SimRequest {
  /** 1-based request number. */
  readonly n: number;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer | null;
  /** When the gateway counts it, `performance.now()` ms (arrival + arrival jitter); default: when handled. */
  readonly countedAt?: number;
}

/** Handler result: the response (null = reset the connection) and the log facts. */
export interface Handled {
  response: SimResponse | null;
  route: string | null;
  params: Params;
  keyHash: string;
  fault: FaultKind | 'throttled' | null;
}

/** Mutable per-server state the handler uses. */
export interface HandlerState {
  readonly opts: ResolvedOptions;
  readonly throttle: Throttle | null;
  readonly faults: FaultPicker;
  unknownPaths: number;
}

const VALID_KEY = /^[A-Za-z0-9]{20,64}$/;

function readExtraParams(req: SimRequest): Params | 'invalid' | null {
  let extra: Params | null = null;
  const merge = (p: unknown) => {
    if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new Error('not an object');
    extra = mergeParams(extra ?? {}, p as Params);
  };
  try {
    const xp = req.headers['x-params'];
    if (typeof xp === 'string' && xp.trim() !== '') merge(JSON.parse(xp));
    if (req.body && req.body.length > 0) {
      const ct = String(req.headers['content-type'] ?? '');
      const text = req.body.toString('utf8');
      if (ct.includes('application/x-www-form-urlencoded')) merge(parseQuery(text));
      else if (ct.includes('json') || req.method === 'POST') merge(JSON.parse(text));
    }
  } catch {
    return 'invalid';
  }
  return extra;
}

/** Handle one request. */
export function handle(state: HandlerState, req: SimRequest): Handled {
  const { opts } = state;
  const n = req.n;
  const route = resolveRoute(req.path);
  if (!route) state.unknownPaths++;
  const params = parseQuery(req.query);
  const urlKey = typeof params.api_key === 'string' && params.api_key !== '' ? params.api_key : undefined;
  const extra = readExtraParams(req);
  if (extra && extra !== 'invalid') mergeParams(params, extra);
  const logParams: Params = { ...params };
  delete logParams.api_key;
  const headerKey = typeof req.headers['x-api-key'] === 'string' && req.headers['x-api-key'] !== '' ? req.headers['x-api-key'] : undefined;
  const merged = typeof params.api_key === 'string' && params.api_key !== '' ? params.api_key : undefined;
  const key = opts.strictKeyInUrl ? urlKey : (urlKey ?? merged ?? headerKey);
  const out: Handled = {
    response: null, route: route ? routeName(route) : null, params: logParams, keyHash: keyHash(key), fault: null,
  };
  const done = (r: SimResponse | null): Handled => ((out.response = r), out);

  if (key === undefined) return done(gateway(opts, n, 403, GATEWAY_BODY.keyMissing));
  if (opts.keys ? !opts.keys.includes(key) : !VALID_KEY.test(key)) return done(gateway(opts, n, 403, GATEWAY_BODY.keyInvalid));
  if (state.throttle) {
    const d = state.throttle.take(key, req.countedAt);
    if (d !== 'ok') {
      out.fault = 'throttled';
      if (d === 'suspended') return done(gateway(opts, n, 403, GATEWAY_BODY.keyInvalid));
      const r = gateway(opts, n, 429, GATEWAY_BODY.overRateLimit);
      if (opts.retryAfterSecs !== null) r.headers.push('Retry-After', String(opts.retryAfterSecs));
      return done(r);
    }
  }
  const fault = state.faults.pick(n, `${req.method} ${canonicalRequest(req.path, logParams)}`);
  out.fault = fault;
  if (fault && REPLACING_FAULTS.has(fault)) return done(faultResponse(opts, n, fault));
  if (!route) {
    return done(appResponse(opts, n, opts.legacyNotFound500 ? 500 : 404, appErrorBody(APP_MESSAGE.notFound, 404), 0, false));
  }
  if (extra === 'invalid') return done(appError(opts, n, APP_MESSAGE.badXParams, 400));
  return done(serveRoute(opts, n, route, params, req.path, key));
}

function routeName(route: Route): string {
  return route.kind === 'listing' ? 'electricity/rto' : DATASET_INFO[route.dataset].route;
}

