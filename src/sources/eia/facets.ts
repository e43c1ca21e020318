/**
 * The API's own list of respondent codes: `GET /v2/<route>/facet/<respondent facet>` answers
 * `{"response":{"totalFacets":N,"facets":[{"id","name","alias"},…]}}` (docs/eia-api.md §2). One request per route,
 * through the client's limiter, so it counts against the key's budget like any data page.
 */
import { CODE_PATTERN, DATASET_INFO, type Dataset } from '../../core/catalog.js';
import { EtlError } from '../../core/errors.js';
import type { KnownRespondent } from '../../core/region-selection.js';
import type { EiaClient } from './client.js';

/** Path of a route's respondent facet list below the base URL (interchange: `fromba`; sub-BA: `parent`). */
export function respondentFacetPath(dataset: Dataset): string {
  const info = DATASET_INFO[dataset];
  return `${info.route}/facet/${info.respondentFacet}`;
}

/**
 * Parse a facet list `response` into codes and names. Entries whose id is not a respondent code are skipped;
 * a list with no usable entry is `ETL_BODY_MALFORMED` (an empty list would reject every code).
 */
export function parseFacetList(response: Record<string, unknown>, label: string): KnownRespondent[] {
  const facets = response.facets;
  const out: KnownRespondent[] = [];
  if (Array.isArray(facets)) {
    for (const f of facets as unknown[]) {
      const { id, name } = (f ?? {}) as { id?: unknown; name?: unknown };
      if (typeof id === 'string' && CODE_PATTERN.test(id)) out.push({ code: id, name: typeof name === 'string' ? name : id });
    }
  }
  if (out.length === 0) {
    throw new EtlError('ETL_BODY_MALFORMED', 'source', `${label}: the facet list holds no respondent code`);
  }
  return out;
}

/** The respondent codes `dataset` lists, from one request. Rejects with the request's `EtlError`. */
export async function fetchRespondentFacet(client: EiaClient, dataset: Dataset, signal?: AbortSignal): Promise<KnownRespondent[]> {
  const label = `facet ${dataset}`;
  return parseFacetList(await client.getMetadata(respondentFacetPath(dataset), label, signal), label);
}
