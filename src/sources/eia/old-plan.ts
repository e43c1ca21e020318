/**
 * The origin project's plan, kept only for comparison (docs/eia-api.md §14.1): one request per region × series × 45-day
 * batch, sent with date-only bounds `start=d&end=d+44`. The API reads a date-only `end` as `T00`, so each batch
 * returns 44 × 24 + 1 hours and loses T01–T23 of its last day. Pure.
 */
import { DATASET_INFO, REGION_TYPES } from '../../core/catalog.js';
import { HOUR_MS, utcYear } from '../../core/time.js';
import { builtinSeriesEstimate, knownFuels } from './known-series.js';
import type { HourRange, Selection } from './planner.js';

const DAY_MS = 24 * HOUR_MS;

/** One request of the old plan. */
export interface OldRequest {
  readonly dataset: Selection['dataset'];
  readonly respondent: string;
  /** Series code (or `#n` where the old tool took one route-level request per region). */
  readonly series: string;
  /** Date-only bounds as the old tool sent them (`YYYY-MM-DD`, both read as `T00`). */
  readonly start: string;
  readonly end: string;
  /** Rows the request returns: hours from `start T00` to `end T00` inclusive (one series). */
  readonly rows: number;
  /** Hours of the intended batch that the date-only `end` dropped (T01–T23 of its last day, within range). */
  readonly lostHours: number;
}

/** Options of `oldApproachPlan`. */
export interface OldPlanOptions {
  /** Days per batch (the old default: 45). */
  readonly batchDays?: number;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Series codes the old tool fetched one by one for a respondent of a selection. */
function seriesFor(sel: Selection, respondent: string, year: number): string[] {
  const info = DATASET_INFO[sel.dataset];
  const given = sel.facets[info.seriesFacet];
  if (given?.length) return [...given];
  if (sel.dataset === 'region-data') return Object.keys(REGION_TYPES);
  if (sel.dataset === 'fuel-type-data') {
    const fuels = knownFuels(respondent);
    if (fuels) return [...fuels];
  }
  const n = Math.max(1, Math.round(builtinSeriesEstimate(sel.dataset, { [info.respondentFacet]: [respondent] }, year)));
  return Array.from({ length: n }, (_, i) => `#${i + 1}`);
}

/**
 * The old plan for the same selections and range: for each respondent × series × `batchDays`-day batch
 * (batches start at the range's first date), one request. `rows` and `lostHours` show what it returned and missed.
 */
export function oldApproachPlan(selections: readonly Selection[], range: HourRange, opts: OldPlanOptions = {}): OldRequest[] {
  const batchDays = opts.batchDays ?? 45;
  const first = Math.floor(range.startMs / DAY_MS) * DAY_MS;
  const out: OldRequest[] = [];
  for (const sel of selections) {
    const respondents = sel.facets[DATASET_INFO[sel.dataset].respondentFacet] ?? [];
    for (const respondent of respondents) {
      for (let d = first; d < range.endMs; d += batchDays * DAY_MS) {
        const intendedEnd = Math.min(d + batchDays * DAY_MS, range.endMs); // exclusive
        const endDate = Math.floor((intendedEnd - HOUR_MS) / DAY_MS) * DAY_MS; // the last date, sent date-only
        const rows = (endDate - d) / HOUR_MS + 1;
        const lostHours = (intendedEnd - endDate) / HOUR_MS - 1;
        for (const series of seriesFor(sel, respondent, utcYear(d))) {
          out.push({ dataset: sel.dataset, respondent, series, start: day(d), end: day(endDate), rows, lostHours });
        }
      }
    }
  }
  return out;
}
