/**
 * Routes and metadata (docs/eia-api.md §2, §15.1, §15.3): resolve a request path to a route, and build the
 * `response` objects of `GET /v2/electricity/rto`, `/v2/<route>`, `/v2/<route>/facet` and `/v2/<route>/facet/{id}`.
 * Facet descriptions and data aliases other than fuel-type-data's are inferred.
 */
import { DATASETS, DATASET_INFO, type Dataset } from '../core/catalog.js';
import { formatHourStamp } from '../core/time.js';
import { facetValues, phpJson } from './series.js';
import type { Perturbation } from './perturb.js';

/** What a path addresses. */
export type Route =
  | { kind: 'listing'; command: string }
  | { kind: 'route' | 'facets' | 'data'; dataset: Dataset; command: string }
  | { kind: 'facet'; dataset: Dataset; facet: string; command: string };

const BY_ROUTE = new Map<string, Dataset>(DATASETS.map((d) => [DATASET_INFO[d].route, d]));

/** Resolve `/v2/...` (trailing slash optional) to a route, or null for an unknown path. */
export function resolveRoute(path: string): Route | null {
  let p = path;
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  if (!p.startsWith('/v2/')) return null;
  p = p.slice(4);
  if (p === 'electricity/rto') return { kind: 'listing', command: '/v2/electricity/rto/' };
  for (const [route, dataset] of BY_ROUTE) {
    if (p === route) return { kind: 'route', dataset, command: `/v2/${route}/` };
    if (!p.startsWith(route + '/')) continue;
    const rest = p.slice(route.length + 1);
    if (rest === 'data') return { kind: 'data', dataset, command: `/v2/${route}/data/` };
    if (rest === 'facet') return { kind: 'facets', dataset, command: `/v2/${route}/facet/` };
    const m = /^facet\/([^/]+)$/.exec(rest);
    if (m) return { kind: 'facet', dataset, facet: decodeURIComponent(m[1]), command: `/v2/${route}/facet/${m[1]}/` };
  }
  return null;
}

const FACET_DESCRIPTION: Record<string, string> = {
  respondent: 'Balancing Authority / Region',
  type: 'Type',
  fueltype: 'Energy Source',
  fromba: 'From Balancing Authority',
  toba: 'To Balancing Authority',
  subba: 'Subregion',
  parent: 'Parent Balancing Authority',
};

const DATA_ALIAS: Record<Dataset, string> = {
  'region-data': 'Value',
  'fuel-type-data': 'Net Generation',
  'interchange-data': 'Interchange',
  'region-sub-ba-data': 'Demand',
};

const FREQUENCY_JSON =
  '[{"id":"hourly","alias":"hourly (UTC)","description":"One data point for each hour in UTC time.","query":"H","format":"YYYY-MM-DD\\"T\\"HH24"},' +
  '{"id":"local-hourly","alias":"hourly (Local Time Zone)","description":"One data point for each hour in local time.","query":"LH","format":"YYYY-MM-DD\\"T\\"HH24TZH"}]';

/** `response` of `GET /v2/<route>`; `endPeriodMs` = the simulated now − lag, floored to the hour. */
export function routeMetadataJson(dataset: Dataset, endPeriodMs: number): string {
  const info = DATASET_INFO[dataset];
  const facets = info.facets.map((id) => `{"id":"${id}","description":${phpJson(FACET_DESCRIPTION[id] ?? id)}}`).join(',');
  return `{"id":"${dataset}","name":${phpJson(info.name)},"description":${phpJson(info.description)},` +
    `"frequency":${FREQUENCY_JSON},"facets":[${facets}],` +
    `"data":{"value":{"aggregation-method":"SUM","alias":${phpJson(DATA_ALIAS[dataset])},"units":"megawatthours"}},` +
    `"startPeriod":"2019-01-01T00","endPeriod":"${formatHourStamp(endPeriodMs)}",` +
    `"defaultDateFormat":"YYYY-MM-DD\\"T\\"HH24","defaultFrequency":"hourly"}`;
}

/** `response` of `GET /v2/<route>/facet`. */
export function facetListJson(dataset: Dataset): string {
  const ids = DATASET_INFO[dataset].facets;
  return `{"totalFacetOptions":${ids.length},"facetOptions":${JSON.stringify(ids)}}`;
}

/** `response` of `GET /v2/<route>/facet/{id}`, or null when `facet` is not a facet of the route. */
export function facetValuesJson(dataset: Dataset, facet: string, perturb: Readonly<Perturbation> | null = null): string | null {
  if (!DATASET_INFO[dataset].facets.includes(facet)) return null;
  const vals = facetValues(dataset, facet, perturb);
  const items = vals.map((v) => `{"id":${phpJson(v.id)},"name":${phpJson(v.name)},"alias":${phpJson(`(${v.id}) ${v.name}`)}}`);
  return `{"totalFacets":"${vals.length}","facets":[${items.join(',')}]}`;
}

/** `response` of `GET /v2/electricity/rto`. */
export function listingJson(): string {
  const routes = DATASETS.map((d) => {
    const info = DATASET_INFO[d];
    return `{"id":"${d}","name":${phpJson(info.name)},"description":${phpJson(info.description)}}`;
  });
  const description = 'Hourly and daily electric power operations by balancing authority.  \n    Source: Form EIA-930\n    Product: Hourly Electric Grid Monitor';
  return `{"id":"rto","name":"Electric Power Operations (Daily and Hourly)","description":${phpJson(description)},"routes":[${routes.join(',')}]}`;
}
