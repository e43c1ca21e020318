/**
 * The origin project's request plan, kept only for comparison (docs/eia-api.md §14.1): one request per region ×
 * type × 45-day batch.
 * A region-data type (D, DF, NG, TI) is one request with its `type` facet; every other route (fuel-type-data,
 * interchange-data, sub-BA) is one request per respondent with no series facet, all series at once. Bounds are
 * date-only, `start=d&end=d+44`: the API reads a date-only bound as `T00` and `end` as inclusive, so a batch
 * returns 44 × 24 + 1 hours and loses T01–T23 of its last day. The seed sent `length=5000` and read the first page
 * only, so a batch of more than 5,000 rows (any 45-day fuel batch of more than 4 fuels) is cut at the cap.
 *
 * `hourEnds: true` with smaller `batchDays` is the same request shape made complete: explicit `THH` bounds with
 * `end` = the batch's last hour, and batches small enough that no request exceeds the cap. Pure.
 */
import { DATASET_INFO, type Dataset } from '../../src/core/catalog.js';
import { HOUR_MS, formatHourStamp } from '../../src/core/time.js';
import type { HourRange, Selection } from '../../src/sources/eia/planner.js';

const DAY_MS = 24 * HOUR_MS;

/** One request of the old plan. */
export interface OldRequest {
  readonly dataset: Dataset;
  readonly respondent: string;
  /** The region-data `type` code of the request, or null: every series of the route (no series facet). */
  readonly series: string | null;
  /** The bounds as sent: `YYYY-MM-DD` (seed) or `YYYY-MM-DDTHH` (`hourEnds`); both inclusive at the API. */
  readonly start: string;
  readonly end: string;
  /** The hours the request covers, half-open [startMs, endMs). */
  readonly startMs: number;
  readonly endMs: number;
  /** Hours covered per series. */
  readonly hours: number;
  /** Hours of the intended batch that the bounds leave out (T01–T23 of the last day with date-only ends). */
  readonly lostHours: number;
}

/** Options of `oldApproachPlan`. */
export interface OldPlanOptions {
  /** Days per batch, one figure or per route (the seed: 45 everywhere). */
  readonly batchDays?: number | Partial<Record<Dataset, number>>;
  /** Explicit `THH` bounds covering each batch completely (default false: the seed's date-only bounds). */
  readonly hourEnds?: boolean;
}

/** The seed's batch length. */
export const SEED_BATCH_DAYS = 45;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The old plan for the same selections and range: for each respondent × type × batch (batches start at the
 * range's first date), one request.
 */
export function oldApproachPlan(selections: readonly Selection[], range: HourRange, opts: OldPlanOptions = {}): OldRequest[] {
  const first = Math.floor(range.startMs / DAY_MS) * DAY_MS;
  const out: OldRequest[] = [];
  for (const sel of selections) {
    const info = DATASET_INFO[sel.dataset];
    const bd = opts.batchDays ?? SEED_BATCH_DAYS;
    const batchDays = typeof bd === 'number' ? bd : (bd[sel.dataset] ?? SEED_BATCH_DAYS);
    if (!(Number.isInteger(batchDays) && batchDays >= 1)) throw new RangeError(`batchDays must be a whole number of days ≥ 1 (got ${batchDays})`);
    const types: Array<string | null> = sel.dataset === 'region-data' ? [...(sel.facets[info.seriesFacet] ?? [])] : [null];
    for (const respondent of sel.facets[info.respondentFacet] ?? []) {
      for (const series of types) {
        for (let d = first; d < range.endMs; d += batchDays * DAY_MS) {
          const intendedEnd = Math.min(d + batchDays * DAY_MS, range.endMs); // exclusive
          if (opts.hourEnds) {
            const hours = (intendedEnd - d) / HOUR_MS;
            const end = formatHourStamp(intendedEnd - HOUR_MS);
            out.push({ dataset: sel.dataset, respondent, series, start: formatHourStamp(d), end, startMs: d, endMs: intendedEnd, hours, lostHours: 0 });
            continue;
          }
          const endDate = Math.floor((intendedEnd - HOUR_MS) / DAY_MS) * DAY_MS; // the last date, sent date-only = T00
          const endMs = endDate + HOUR_MS;
          const hours = (endMs - d) / HOUR_MS;
          out.push({ dataset: sel.dataset, respondent, series, start: day(d), end: day(endDate), startMs: d, endMs, hours, lostHours: (intendedEnd - endMs) / HOUR_MS });
        }
      }
    }
  }
  return out;
}
