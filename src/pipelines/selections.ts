/**
 * What the user asks for (`--types`, `--regions`) → the API queries that fetch it. Pure.
 *
 * Several region-data types are merged into ONE query (`type=[D,DF,…]`), so the planner can fill pages with
 * every series of every requested respondent.
 */
import type { BulkOnlyDataset, Selection, TypeName } from '../core/catalog.js';

/** region-data `type` code per type name. */
const REGION_TYPE_CODE: Partial<Record<TypeName, string>> = {
  demand: 'D',
  forecast: 'DF',
  'net-generation': 'NG',
  'total-interchange': 'TI',
};

/** Map types × regions to the API queries that fetch them, in a deterministic order (bulk-only types have none). */
export function selectionsFor(types: readonly TypeName[], regions: readonly string[]): Selection[] {
  const resp = [...new Set(regions)].sort();
  const out: Selection[] = [];
  const codes = [...new Set(types.map((t) => REGION_TYPE_CODE[t]).filter((c): c is string => !!c))].sort();
  if (codes.length) out.push({ dataset: 'region-data', facets: { respondent: resp, type: codes } });
  if (types.includes('generation')) out.push({ dataset: 'fuel-type-data', facets: { respondent: resp } });
  if (types.includes('interchange')) out.push({ dataset: 'interchange-data', facets: { fromba: resp } });
  if (types.includes('subregion')) out.push({ dataset: 'region-sub-ba-data', facets: { parent: resp } });
  return out;
}

/** A selection of a dataset EIA publishes only in its bulk file: shaped like an API query, never sent to the API. */
export interface BulkOnlySelection {
  readonly dataset: BulkOnlyDataset;
  readonly facets: Readonly<Record<string, readonly string[]>>;
}

/** The bulk-only datasets types × regions ask for (`co2` → every CO2 series of the regions), in a deterministic order. */
export function bulkOnlySelectionsFor(types: readonly TypeName[], regions: readonly string[]): BulkOnlySelection[] {
  return types.includes('co2') ? [{ dataset: 'co2-emissions', facets: { respondent: [...new Set(regions)].sort() } }] : [];
}
