/**
 * Known routes: the rto listing, route metadata, facet lists and values, and data pages. A data page is planned
 * (cached cumulative counts), ordered, rendered row by row from precomputed prefixes and wrapped in the envelope.
 */
import { DATASET_INFO, HISTORY_START_MS, type Dataset } from '../core/catalog.js';
import { HOUR_MS } from '../core/time.js';
import { dataEnvelope, metadataEnvelope } from './envelope.js';
import { replayBody } from './fixture-replay.js';
import { rowRenderer } from './generator.js';
import { APP_MESSAGE, WARNING_DESCRIPTION } from './messages.js';
import { facetListJson, facetValuesJson, listingJson, routeMetadataJson, type Route } from './metadata.js';
import { simNow, type ResolvedOptions } from './options.js';
import { forEachRow, requestSeed } from './order.js';
import { validateDataParams, type Params } from './params.js';
import { getPlan } from './plan.js';
import { presenceContext } from './presence.js';
import { appError, appResponse, type SimResponse } from './responses.js';
import { valueContext } from './values.js';

/** Answer a known route (listing, metadata, facets, data) at the simulated now. */
export function serveRoute(opts: ResolvedOptions, n: number, route: Route, params: Params, path: string, key: string): SimResponse {
  const now = simNow(opts);
  switch (route.kind) {
    case 'listing':
      return appResponse(opts, n, 200, metadataEnvelope(listingJson(), route.command, params, opts));
    case 'route': {
      const end = Math.floor((now - opts.lagHours * HOUR_MS) / HOUR_MS) * HOUR_MS;
      const json = routeMetadataJson(route.dataset, Math.max(end, HISTORY_START_MS));
      return appResponse(opts, n, 200, metadataEnvelope(json, route.command, params, opts));
    }
    case 'facets':
      return appResponse(opts, n, 200, metadataEnvelope(facetListJson(route.dataset), route.command, params, opts));
    case 'facet': {
      const json = facetValuesJson(route.dataset, route.facet, opts.perturb);
      if (json === null) return appError(opts, n, APP_MESSAGE.badFacet(route.facet, DATASET_INFO[route.dataset].facets), 400);
      return appResponse(opts, n, 200, metadataEnvelope(json, route.command, params, opts));
    }
    case 'data':
      return serveData(opts, n, route, params, path, key, now);
  }
}

function serveData(
  opts: ResolvedOptions, n: number, route: Route & { dataset: Dataset; command: string }, params: Params, path: string, key: string, now: number,
): SimResponse {
  const v = validateDataParams(route.dataset, params);
  if (!v.ok) return appError(opts, n, v.message, 400);
  const req = v.req;
  if (opts.fixtureReplay) {
    const body = replayBody(path, params, typeof params.api_key === 'string' ? key : undefined);
    if (body !== null) return appResponse(opts, n, 200, body, countRowsInBody(body));
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
  const r = appResponse(opts, n, 200, body, rows);
  r.headers.push('X-Sim-Data-Version', String(vctx.dataVersion));
  if (warn) r.headers.push('X-Warning', `incomplete return: ${WARNING_DESCRIPTION}`);
  return r;
}

function countRowsInBody(body: string): number {
  let c = 0;
  for (let i = body.indexOf('{"period"'); i >= 0; i = body.indexOf('{"period"', i + 1)) c++;
  return c;
}
