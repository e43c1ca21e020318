/**
 * Ground truth of a job, per series, for the bench and the tests: how many rows the simulator holds for every
 * (dataset, respondent, series) a job selects over its whole half-open range `[startMs, endMs)`.
 *
 * It is computed per respondent × series × hour presence over the whole range, so it does not depend on how a
 * client cuts the job into requests (the pipeline's planner, its units, page sizes) and not on any client counter.
 * The series of a respondent are the generator's own list for every UTC year the range touches; the sum over them
 * is checked against the respondent's count with no series filter, so a series missing from that list cannot go
 * unnoticed. Pure.
 */
import { DATASET_INFO, type Dataset } from '../core/catalog.js';
import { countRows } from './generator.js';
import { expectedSeries } from './index.js';
import type { SimulatorOptions } from './options.js';

/** What a job selects on one route: respondent codes (required) and optionally series codes. */
export interface TruthSelection {
  readonly dataset: Dataset;
  readonly facets: Readonly<Record<string, readonly string[]>>;
}

/** Rows per `dataset|respondent|series` (`truthKey`), their sum per dataset, and the total. */
export interface SeriesTruth {
  readonly total: number;
  readonly perDataset: Readonly<Record<string, number>>;
  /** Only series with at least one row in the range. */
  readonly perSeries: ReadonlyMap<string, number>;
}

/** The map key of one series. */
export const truthKey = (dataset: string, respondent: string, series: string): string => `${dataset}|${respondent}|${series}`;

const yearOf = (ms: number) => new Date(ms).getUTCFullYear();

/** Ground truth of `selections` over `[startMs, endMs)` at the simulator options `opts` (seed, now, lag, quirks). */
export function seriesTruth(
  selections: readonly TruthSelection[],
  startMs: number,
  endMs: number,
  opts: Partial<SimulatorOptions> = {},
): SeriesTruth {
  const perSeries = new Map<string, number>();
  const perDataset: Record<string, number> = {};
  let total = 0;
  for (const sel of selections) {
    const info = DATASET_INFO[sel.dataset];
    const respondents = sel.facets[info.respondentFacet];
    if (!respondents?.length) throw new Error(`seriesTruth: ${sel.dataset} needs a ${info.respondentFacet} facet`);
    const given = sel.facets[info.seriesFacet];
    for (const respondent of new Set(respondents)) {
      const codes = new Set<string>(given ?? []);
      if (!given?.length) {
        for (let y = yearOf(startMs); y <= yearOf(endMs - 1); y++) for (const s of expectedSeries(sel.dataset, respondent, y, opts)) codes.add(s);
      }
      let sum = 0;
      for (const series of [...codes].sort()) {
        const n = countRows({ dataset: sel.dataset, facets: { [info.respondentFacet]: [respondent], [info.seriesFacet]: [series] }, startMs, endMs }, opts);
        if (n === 0) continue;
        perSeries.set(truthKey(sel.dataset, respondent, series), (perSeries.get(truthKey(sel.dataset, respondent, series)) ?? 0) + n);
        sum += n;
      }
      const facets: Record<string, readonly string[]> = { [info.respondentFacet]: [respondent] };
      if (given?.length) facets[info.seriesFacet] = [...codes];
      const whole = countRows({ dataset: sel.dataset, facets, startMs, endMs }, opts);
      if (whole !== sum) {
        throw new Error(`seriesTruth: ${sel.dataset} ${respondent}: the series list holds ${sum} rows but the respondent ${whole}`);
      }
      perDataset[sel.dataset] = (perDataset[sel.dataset] ?? 0) + sum;
      total += sum;
    }
  }
  return { total, perDataset, perSeries };
}
