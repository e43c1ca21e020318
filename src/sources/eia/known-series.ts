/**
 * The planner's built-in estimate of rows per hour: how many series each catalog respondent reports per route.
 * Only an estimate for sizing work units (docs/eia-api.md §3.2, §15.3): a wrong figure makes units a little larger or
 * smaller than `maxUnitRows`, never loses rows (paging reads `total`). Respondents not listed here are "unknown":
 * the planner can probe them (`length=1`, read `total`) instead of guessing.
 */
import { DATASET_INFO, REGION_TYPES, type Dataset } from '../../core/catalog.js';

/** Facet filters as the planner sees them. */
export type Facets = Readonly<Record<string, readonly string[]>>;

/**
 * Rows per hour a query is expected to return in `year` (the average over the year). Pure. Used by the planner to
 * size windows; the default is `builtinSeriesEstimate`, a probe-based one comes from `probeSeriesEstimator`
 * (`bench/lib/plan-probe.ts`).
 */
export type SeriesEstimator = (dataset: Dataset, facets: Facets, year: number) => number;

const BASE_FUELS = ['COL', 'NG', 'NUC', 'OIL', 'OTH', 'SUN', 'WAT', 'WND'];
const without = (codes: string[], drop: string[]) => codes.filter((c) => !drop.includes(c));

/** fuel-type-data: fuels per respondent (recordings; docs/eia-api.md §15.3). */
const FUELS: Readonly<Record<string, readonly string[]>> = {
  PACW: ['NG', 'OTH', 'SUN', 'WAT', 'WND'],
  PACE: ['COL', 'NG', 'OTH', 'SUN', 'WAT', 'WND'],
  ERCO: without(BASE_FUELS, ['OIL']),
  TEX: without(BASE_FUELS, ['OIL']),
  CISO: [...BASE_FUELS, 'GEO'],
  CAL: [...BASE_FUELS, 'GEO'],
  MISO: BASE_FUELS,
  PJM: BASE_FUELS,
  NYIS: BASE_FUELS,
  ISNE: BASE_FUELS,
  SWPP: BASE_FUELS,
  BPAT: ['NG', 'NUC', 'OTH', 'SUN', 'WAT', 'WND'],
  US48: [...BASE_FUELS, 'GEO'],
};

/** Neighbours per respondent on interchange-data (`toba` series of `fromba`), rounded estimates. */
const NEIGHBOURS: Readonly<Record<string, number>> = {
  PACW: 8, PACE: 10, ERCO: 3, TEX: 3, CISO: 10, CAL: 3, MISO: 12, PJM: 8, NYIS: 4, ISNE: 2, SWPP: 12, BPAT: 12,
  US48: 3, CAR: 3, CENT: 3, FLA: 1, MIDA: 4, MIDW: 5, NE: 2, NW: 3, NY: 3, SE: 4, SW: 3, TEN: 3,
};

/** Subregions per parent on region-sub-ba-data. Regions and PACW/PACE/BPAT have none. */
const SUBREGIONS: Readonly<Record<string, number>> = {
  ERCO: 8, CISO: 4, MISO: 8, PJM: 20, NYIS: 11, ISNE: 8, SWPP: 16, PACW: 0, PACE: 0, BPAT: 0,
  US48: 0, CAL: 0, CAR: 0, CENT: 0, FLA: 0, MIDA: 0, MIDW: 0, NE: 0, NW: 0, NY: 0, SE: 0, SW: 0, TEN: 0, TEX: 0,
};

/** Fuels some respondents add from 2024-07-01, the taxonomy change (docs/eia-api.md §3.2, §15.7 item 11). */
const ADDED_FROM_2024_07: Readonly<Record<string, readonly string[]>> = {
  CISO: ['BAT', 'SNB'],
  CAL: ['BAT', 'SNB'],
  ERCO: ['BAT', 'SNB'],
  TEX: ['BAT', 'SNB'],
  US48: ['BAT', 'PS', 'SNB', 'WNB'],
};

/** Fallback series per unknown respondent, per route. */
const UNKNOWN_SERIES: Readonly<Record<Dataset, number>> = {
  'region-data': 4,
  'fuel-type-data': 8,
  'interchange-data': 5,
  'region-sub-ba-data': 5,
};

function table(dataset: Dataset): Readonly<Record<string, unknown>> {
  if (dataset === 'fuel-type-data') return FUELS;
  if (dataset === 'interchange-data') return NEIGHBOURS;
  if (dataset === 'region-sub-ba-data') return SUBREGIONS;
  return REGION_TYPE_RESPONDENTS;
}
const REGION_TYPE_RESPONDENTS: Readonly<Record<string, true>> = Object.fromEntries(
  [...Object.keys(FUELS), ...Object.keys(NEIGHBOURS)].map((r) => [r, true as const]),
);

/** Fuel codes the built-in table expects `respondent` to report (undefined when unknown). */
export function knownFuels(respondent: string): readonly string[] | undefined {
  return FUELS[respondent];
}

/** Respondent codes of a query that the built-in table does not know (these are worth a probe). */
export function unknownRespondents(dataset: Dataset, facets: Facets): string[] {
  const codes = facets[DATASET_INFO[dataset].respondentFacet] ?? [];
  const t = table(dataset);
  return codes.filter((c) => !(c in t));
}

/** Series one respondent is expected to report in `year`, restricted to the requested series codes if any. */
function seriesOf(dataset: Dataset, respondent: string, series: readonly string[] | undefined, year: number): number {
  const pick = (codes: readonly string[]) => (series && series.length ? codes.filter((c) => series.includes(c)).length : codes.length);
  switch (dataset) {
    case 'region-data':
      return pick(Object.keys(REGION_TYPES));
    case 'fuel-type-data': {
      const fuels = FUELS[respondent];
      if (!fuels) return series?.length || UNKNOWN_SERIES[dataset];
      // The added fuels begin on 2024-07-01: half a year of rows on average in 2024, all year afterwards.
      const added = pick(ADDED_FROM_2024_07[respondent] ?? []);
      return pick(fuels) + added * (year === 2024 ? 184 / 366 : year > 2024 ? 1 : 0);
    }
    case 'interchange-data': {
      const n = NEIGHBOURS[respondent] ?? UNKNOWN_SERIES[dataset];
      return series?.length ? Math.min(series.length, n) : n;
    }
    case 'region-sub-ba-data': {
      const n = SUBREGIONS[respondent] ?? UNKNOWN_SERIES[dataset];
      return series?.length ? Math.min(series.length, n) : n;
    }
  }
}

/**
 * Built-in estimate: Σ over the requested respondents of the series each reports (restricted to the requested
 * series codes). With no respondent filter, assumes every catalog respondent. Rows per hour, ≥ 0.
 */
export const builtinSeriesEstimate: SeriesEstimator = (dataset, facets, year) => {
  const info = DATASET_INFO[dataset];
  const respondents = facets[info.respondentFacet]?.length ? facets[info.respondentFacet] : Object.keys(table(dataset));
  const series = facets[info.seriesFacet];
  let n = 0;
  for (const r of respondents) n += seriesOf(dataset, r, series, year);
  return n;
};
