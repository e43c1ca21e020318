/**
 * The planner's async pre-step for respondents the built-in table does not know: one cheap `length=1` request per
 * (merged query, year segment) reads `total`, and the planner then sizes windows from the measured rows per hour.
 */
import { HOUR_MS } from '../../src/core/time.js';
import { builtinSeriesEstimate, unknownRespondents, type SeriesEstimator } from '../../src/sources/eia/known-series.js';
import type { EiaQuery } from '../../src/sources/eia/query.js';
import { mergeSelections, yearSegments, type HourRange, type Selection } from '../../src/sources/eia/planner.js';

/** Reads `total` of a query with one `length=1` request (see `EiaClient.probeTotal`). */
export type ProbeTotal = (query: EiaQuery, signal?: AbortSignal) => Promise<number>;

const keyOf = (dataset: string, facets: Readonly<Record<string, readonly string[]>>, year: number) =>
  `${dataset}|${JSON.stringify(facets)}|${year}`;

/**
 * Probe `total` for every (merged selection, year segment of `range`) that has a respondent missing from the
 * built-in table (or for all of them with `all: true`), and return an estimator that answers from the probes
 * (rows per hour = total / hours of the segment) and falls back to `fallback` otherwise. Costs one request per
 * probe, each through the caller's limiter. Rejects with the probe's `EtlError` (e.g. an invalid key).
 */
export async function probeSeriesEstimator(
  selections: readonly Selection[],
  range: HourRange,
  probeTotal: ProbeTotal,
  opts: { all?: boolean; fallback?: SeriesEstimator; signal?: AbortSignal } = {},
): Promise<SeriesEstimator> {
  const fallback = opts.fallback ?? builtinSeriesEstimate;
  const measured = new Map<string, number>();
  const jobs: Array<Promise<void>> = [];
  for (const sel of mergeSelections(selections)) {
    if (!opts.all && unknownRespondents(sel.dataset, sel.facets).length === 0) continue;
    for (const seg of yearSegments(range)) {
      const q: EiaQuery = { dataset: sel.dataset, facets: sel.facets, startMs: seg.startMs, endMs: seg.endMs };
      jobs.push(
        probeTotal(q, opts.signal).then((total) => {
          measured.set(keyOf(sel.dataset, sel.facets, seg.year), total / ((seg.endMs - seg.startMs) / HOUR_MS));
        }),
      );
    }
  }
  await Promise.all(jobs);
  return (dataset, facets, year) => measured.get(keyOf(dataset, facets, year)) ?? fallback(dataset, facets, year);
}
