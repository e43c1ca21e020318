/**
 * The series of one page: groups accepted records by (respondent, series), drops duplicate keys (keeping the
 * latest), and sets the flags that need a whole series: `IDENTICAL_RUN` and `GLOBAL_OUTLIER`.
 *
 * Used by `validatePage`; pure state for one page, thrown away afterwards.
 */
import { Flag, type ObservationRecord } from '../core/contracts.js';
import { HOUR_MS } from '../core/time.js';

/** The rules `PageSeries.finish` applies (see `ValidateOptions`). */
export interface SeriesRules {
  readonly identicalRunLength: number;
  readonly outlierMedians: number;
  readonly outlierScope: 'demand' | 'all';
}

interface SeriesAcc {
  readonly demand: boolean;
  /** Record indices, in page order. */
  readonly idx: number[];
  /** Highest period seen: a later period cannot be a duplicate, so the common sorted case needs no lookup. */
  maxPeriod: number;
  /** period → record index; built only once a period arrives out of order. */
  byPeriod: Map<number, number> | undefined;
}

/** Per-page series index. Call `add` for each accepted record in page order, then `finish` once. */
export class PageSeries {
  private readonly byRespondent = new Map<string, Map<string, SeriesAcc>>();
  private lastRespondent: string | undefined;
  private lastMap: Map<string, SeriesAcc> | undefined;
  private dropped: Set<number> | undefined;
  /** Records dropped because a later record had the same (respondent, series, period). */
  duplicates = 0;

  /**
   * Register `records[i]` (already pushed). `demand` marks a demand series (D, DF, sub-BA) for the outlier scope.
   * When an earlier record has the same key, that earlier one is dropped and counted as a duplicate.
   */
  add(records: readonly ObservationRecord[], i: number, demand: boolean): void {
    const { respondent, series, period } = records[i];
    let bySeries = respondent === this.lastRespondent ? this.lastMap : this.byRespondent.get(respondent);
    if (bySeries === undefined) {
      bySeries = new Map();
      this.byRespondent.set(respondent, bySeries);
    }
    this.lastRespondent = respondent;
    this.lastMap = bySeries;
    let acc = bySeries.get(series);
    if (acc === undefined) {
      acc = { demand, idx: [], maxPeriod: -Infinity, byPeriod: undefined };
      bySeries.set(series, acc);
    }
    if (period > acc.maxPeriod) {
      acc.maxPeriod = period;
    } else {
      if (acc.byPeriod === undefined) acc.byPeriod = this.periodIndex(acc, records);
      const earlier = acc.byPeriod.get(period);
      if (earlier !== undefined) {
        (this.dropped ??= new Set()).add(earlier);
        this.duplicates++;
      }
    }
    acc.byPeriod?.set(period, i);
    acc.idx.push(i);
  }

  /** Set the series flags on the kept records and return them in page order. */
  finish(records: ObservationRecord[], rules: SeriesRules): ObservationRecord[] {
    const dropped = this.dropped;
    for (const bySeries of this.byRespondent.values()) {
      for (const acc of bySeries.values()) {
        const kept = dropped === undefined ? acc.idx : acc.idx.filter((i) => !dropped.has(i));
        const idx = inPeriodOrder(kept, records);
        flagIdenticalRuns(idx, records, rules.identicalRunLength);
        if (rules.outlierScope === 'all' || acc.demand) flagGlobalOutliers(idx, records, rules.outlierMedians);
      }
    }
    return dropped === undefined ? records : records.filter((_, i) => !dropped.has(i));
  }

  private periodIndex(acc: SeriesAcc, records: readonly ObservationRecord[]): Map<number, number> {
    const m = new Map<number, number>();
    for (const j of acc.idx) if (this.dropped === undefined || !this.dropped.has(j)) m.set(records[j].period, j);
    return m;
  }
}

/** The indices sorted by period (rows usually arrive sorted; only sort when they are not). */
function inPeriodOrder(idx: number[], records: readonly ObservationRecord[]): number[] {
  for (let k = 1; k < idx.length; k++) {
    if (records[idx[k]].period < records[idx[k - 1]].period) return [...idx].sort((a, b) => records[a].period - records[b].period);
  }
  return idx;
}

/** IDENTICAL_RUN on the `runLength`-th and later equal non-null values in consecutive hours; nulls and gaps break runs. */
function flagIdenticalRuns(idx: readonly number[], records: ObservationRecord[], runLength: number): void {
  let run = 0;
  let prev: ObservationRecord | undefined;
  for (let k = 0; k < idx.length; k++) {
    const rec = records[idx[k]];
    if (rec.value === null) run = 0;
    else {
      run = prev !== undefined && prev.value === rec.value && rec.period - prev.period === HOUR_MS ? run + 1 : 1;
      if (run >= runLength) rec.flags |= Flag.IDENTICAL_RUN;
    }
    prev = rec;
  }
}

/** GLOBAL_OUTLIER where |x − median| > k·|median|, the median over the series' non-null values in the page. */
function flagGlobalOutliers(idx: readonly number[], records: ObservationRecord[], k: number): void {
  const values = new Float64Array(idx.length);
  let n = 0;
  for (const i of idx) {
    const v = records[i].value;
    if (v !== null) values[n++] = v;
  }
  if (n === 0) return;
  const sorted = values.subarray(0, n).sort();
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const limit = k * Math.abs(median);
  for (const i of idx) {
    const v = records[i].value;
    if (v !== null && Math.abs(v - median) > limit) records[i].flags |= Flag.GLOBAL_OUTLIER;
  }
}
