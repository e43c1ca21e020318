/**
 * What the user asks for (`--types`, `--regions`) → the API queries that fetch it. Pure.
 *
 * Several region-data types are merged into ONE query (`type=[D,DF,…]`), so the planner can fill pages with
 * every series of every requested respondent.
 */
import type { Selection, TypeName } from '../core/catalog.js';

/** region-data `type` code per type name. */
const REGION_TYPE_CODE: Partial<Record<TypeName, string>> = {
  demand: 'D',
  forecast: 'DF',
  'net-generation': 'NG',
  'total-interchange': 'TI',
};

/** Map types × regions to the queries that fetch them, in a deterministic order. */
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
