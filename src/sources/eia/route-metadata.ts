/**
 * The route metadata request (`GET /v2/<route>`): its URL and what its response means. Pure.
 *
 * EIA's route metadata carries `endPeriod`, the latest published hour of the route (hourly routes: `YYYY-MM-DDTHH`).
 * It trails the wall clock by the publication lag and moves forward as EIA publishes (docs/eia-api.md §2.3, §12.5),
 * so it is the route's publication frontier: no data row exists after it. Reading it costs one request of the
 * key's budget.
 */
import { DATASET_INFO, type Dataset } from '../../core/catalog.js';
import { EtlError } from '../../core/errors.js';
import { parseHourStamp } from '../../core/time.js';
import type { HttpResponse } from './http.js';
import { classifyResponse } from './classify.js';

/** `<baseUrl>/<route>?api_key=<key>`; the result contains the key: hand it only to the HTTP transport. */
export function routeMetadataUrl(baseUrl: string, dataset: Dataset, apiKey: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${DATASET_INFO[dataset].route}?api_key=${encodeURIComponent(apiKey)}`;
}

/**
 * `endPeriod` of a route metadata response as epoch ms (the latest published period stamp, inclusive), or the
 * `EtlError` the response stands for (the same classification as data pages for every non-200).
 */
export function classifyRouteMetadata(res: HttpResponse, label: string): number {
  if (res.status !== 200 || !/json/.test(res.contentType)) classifyResponse(res, label); // throws the typed error
  let end: unknown;
  try {
    const doc = JSON.parse(res.body.toString('utf8')) as { response?: { endPeriod?: unknown } };
    end = doc?.response?.endPeriod;
  } catch {
    end = undefined;
  }
  const ms = typeof end === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}$/.test(end) ? (parseHourStamp(end) ?? NaN) : NaN;
  if (!Number.isFinite(ms)) {
    classifyResponse(res, label); // an error body, an empty or cut body: the same error as for a data page
    throw new EtlError('ETL_BODY_MALFORMED', 'source', `route metadata without an hourly endPeriod (got ${JSON.stringify(end) ?? 'nothing'}); GET ${res.url} (${label})`, {
      details: { method: 'GET', url: res.url, status: res.status, unit: label },
    });
  }
  return ms;
}
