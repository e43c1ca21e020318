/**
 * The request handler, free of sockets: (method, path, query, headers, body) → a response descriptor plus the
 * facts the request log needs. Order of checks: route lookup (unknown paths are counted), params, gateway auth,
 * budget, injected fault, then the route itself. The server (server.ts) applies delivery faults and latency.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { DATASET_INFO, type Dataset } from '../core/catalog.js';
import { HOUR_MS } from '../core/time.js';
import { dataEnvelope, metadataEnvelope } from './envelope.js';
import { FaultPicker, REPLACING_FAULTS } from './faults.js';
import { canonicalRequest, replayBody } from './fixture-replay.js';
import { rowRenderer } from './generator.js';
import { appHeaders, gatewayHeaders } from './headers.js';
import { APP_MESSAGE, FAULT_BODY, GATEWAY_BODY, WARNING_DESCRIPTION, appErrorBody } from './messages.js';
import { facetListJson, facetValuesJson, listingJson, resolveRoute, routeMetadataJson, type Route } from './metadata.js';
import { simNow, type FaultKind, type ResolvedOptions } from './options.js';
import { forEachRow, requestSeed } from './order.js';
import { mergeParams, parseQuery, validateDataParams, type Params } from './params.js';
import { getPlan } from './plan.js';
import { presenceContext } from './presence.js';
import { keyHash } from './request-log.js';
import type { Throttle } from './throttle.js';
import { valueContext } from './values.js';
import { HISTORY_START_MS } from '../core/catalog.js';

/** A request as the handler sees it. */
export interface SimRequest {
  /** 1-based request number. */
  readonly n: number;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer | null;
}

/** What to send. `oversized` = stream a valid-looking JSON body of that many bytes instead of `body`. */
export interface SimResponse {
  status: number;
  headers: string[];
  body: string;
  rows: number;
  /** May be gzipped when the client accepts it. */
  compressible: boolean;
  oversized?: number;
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

function appResponse(state: HandlerState, n: number, status: number, body: string, rows = 0, vary = true): SimResponse {
  return { status, headers: appHeaders(state.opts.seed, n, 'application/json', vary), body, rows, compressible: true };
}

function gateway(state: HandlerState, n: number, status: number, body: string): SimResponse {
  return { status, headers: gatewayHeaders(state.opts.seed, n), body, rows: 0, compressible: false };
}

function appError(state: HandlerState, n: number, message: string, code: number): SimResponse {
  const status = state.opts.legacyStatus ? 200 : code;
  return appResponse(state, n, status, appErrorBody(message, code));
}

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

  if (key === undefined) return done(gateway(state, n, 403, GATEWAY_BODY.keyMissing));
  if (opts.keys ? !opts.keys.includes(key) : !VALID_KEY.test(key)) return done(gateway(state, n, 403, GATEWAY_BODY.keyInvalid));
  if (state.throttle) {
    const d = state.throttle.take(key);
    if (d !== 'ok') {
      out.fault = 'throttled';
      if (d === 'suspended') return done(gateway(state, n, 403, GATEWAY_BODY.keyInvalid));
      const r = gateway(state, n, 429, GATEWAY_BODY.overRateLimit);
      if (opts.retryAfterSecs !== null) r.headers.push('Retry-After', String(opts.retryAfterSecs));
      return done(r);
    }
  }
  const fault = state.faults.pick(n, `${req.method} ${canonicalRequest(req.path, logParams)}`);
  out.fault = fault;
  if (fault && REPLACING_FAULTS.has(fault)) return done(faultResponse(state, n, fault));
  if (!route) {
    return done(appResponse(state, n, opts.legacyNotFound500 ? 500 : 404, appErrorBody(APP_MESSAGE.notFound, 404), 0, false));
  }
  if (extra === 'invalid') return done(appError(state, n, APP_MESSAGE.badXParams, 400));
  return done(serveRoute(state, n, route, params, req.path, key));
}

function routeName(route: Route): string {
  return route.kind === 'listing' ? 'electricity/rto' : DATASET_INFO[route.dataset].route;
}

function faultResponse(state: HandlerState, n: number, fault: FaultKind): SimResponse | null {
  const seed = state.opts.seed;
  switch (fault) {
    case 'reset':
      return null;
    case '403':
      return gateway(state, n, 403, GATEWAY_BODY.keyInvalid);
    case '500':
      return appResponse(state, n, 500, FAULT_BODY['500'], 0, false);
    case '502': case '503': case '504':
      return { status: Number(fault), headers: appHeaders(seed, n, 'text/html', false), body: FAULT_BODY[fault], rows: 0, compressible: false };
    case 'html200':
      return { status: 200, headers: appHeaders(seed, n, 'text/html; charset=UTF-8'), body: FAULT_BODY.html200, rows: 0, compressible: true };
    case 'empty200':
      return appResponse(state, n, 200, '');
    case 'error200':
      return appResponse(state, n, 200, FAULT_BODY.error200);
    case 'oversized': {
      const r = appResponse(state, n, 200, '');
      r.compressible = false;
      r.oversized = state.opts.faults?.oversizedBytes ?? 64 * 1024 * 1024;
      return r;
    }
    default:
      return appResponse(state, n, 500, FAULT_BODY['500'], 0, false);
  }
}

function serveRoute(state: HandlerState, n: number, route: Route, params: Params, path: string, key: string): SimResponse {
  const opts = state.opts;
  const now = simNow(opts);
  switch (route.kind) {
    case 'listing':
      return appResponse(state, n, 200, metadataEnvelope(listingJson(), route.command, params, opts));
    case 'route': {
      const end = Math.floor((now - opts.lagHours * HOUR_MS) / HOUR_MS) * HOUR_MS;
      const json = routeMetadataJson(route.dataset, Math.max(end, HISTORY_START_MS));
      return appResponse(state, n, 200, metadataEnvelope(json, route.command, params, opts));
    }
    case 'facets':
      return appResponse(state, n, 200, metadataEnvelope(facetListJson(route.dataset), route.command, params, opts));
    case 'facet': {
      const json = facetValuesJson(route.dataset, route.facet);
      if (json === null) return appError(state, n, APP_MESSAGE.badFacet(route.facet, DATASET_INFO[route.dataset].facets), 400);
      return appResponse(state, n, 200, metadataEnvelope(json, route.command, params, opts));
    }
    case 'data':
      return serveData(state, n, route, params, path, key, now);
  }
}

function serveData(
  state: HandlerState, n: number, route: Route & { dataset: Dataset; command: string }, params: Params, path: string, key: string, now: number,
): SimResponse {
  const opts = state.opts;
  const v = validateDataParams(route.dataset, params);
  if (!v.ok) return appError(state, n, v.message, 400);
  const req = v.req;
  if (opts.fixtureReplay) {
    const body = replayBody(path, params, typeof params.api_key === 'string' ? key : undefined);
    if (body !== null) return appResponse(state, n, 200, body, countRowsInBody(body));
  }
  const plan = getPlan(route.dataset, req.facets, req.startH, req.endH, presenceContext(opts, now));
  const vctx = valueContext(opts, now);
  const render = rowRenderer(plan, vctx, req.withValue, opts.compatMode === '2023', req.frequency === 'local-hourly');
  let rowsJson = '';
  let rows = 0;
  forEachRow(plan, { keys: req.sort, unstable: opts.unstableTies, shuffleAll: opts.legacyUnsortedDefault, requestSeed: requestSeed(opts.seed, n) },
    req.offset, req.length, vctx, (i, h) => {
      rowsJson += rows++ === 0 ? render(i, h) : ',' + render(i, h);
    });
  const warn = opts.warnWhen === 'truncated' ? plan.total - req.offset > req.length : plan.total > 5000;
  const body = dataEnvelope({
    total: plan.total, frequency: req.frequency, rowsJson, description: DATASET_INFO[route.dataset].description,
    command: route.command, params, warn,
  }, opts);
  const r = appResponse(state, n, 200, body, rows);
  r.headers.push('X-Sim-Data-Version', String(vctx.dataVersion));
  if (warn) r.headers.push('X-Warning', `incomplete return: ${WARNING_DESCRIPTION}`);
  return r;
}

function countRowsInBody(body: string): number {
  let c = 0;
  for (let i = body.indexOf('{"period"'); i >= 0; i = body.indexOf('{"period"', i + 1)) c++;
  return c;
}
