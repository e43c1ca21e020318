import { describe, expect, it } from 'vitest';
import { Flag, type ObservationRecord } from '../../src/core/contracts.js';
import { PageSeries, type SeriesRules } from '../../src/transforms/page-series.js';

const RULES: SeriesRules = { identicalRunLength: 3, outlierMedians: 9, outlierScope: 'demand' };
const H = 3_600_000;

function rec(respondent: string, series: string, hour: number, value: number | null): ObservationRecord {
  return {
    dataset: 'region-data',
    respondent,
    respondent_name: '',
    series,
    series_name: '',
    period: hour * H,
    value,
    units: 'MWh',
    flags: 0,
    source_page: 'p',
    ingested_at: 0,
  };
}

/** Add every record (demand = series D) and finish. */
function run(records: ObservationRecord[], rules = RULES) {
  const s = new PageSeries();
  records.forEach((r, i) => s.add(records, i, r.series === 'D'));
  const kept = s.finish(records, rules);
  return { kept, duplicates: s.duplicates };
}

describe('PageSeries', () => {
  it('finds duplicates that arrive out of period order and keeps the latest copy', () => {
    const { kept, duplicates } = run([rec('A', 'D', 1, 10), rec('A', 'D', 2, 20), rec('A', 'D', 1, 11)]);
    expect(duplicates).toBe(1);
    expect(kept.map((r) => r.value)).toEqual([20, 11]);
  });

  it('counts every earlier copy of a key sent three times', () => {
    const { kept, duplicates } = run([rec('A', 'D', 1, 1), rec('A', 'D', 1, 2), rec('A', 'D', 2, 5), rec('A', 'D', 1, 3)]);
    expect(duplicates).toBe(2);
    expect(kept.map((r) => r.value)).toEqual([5, 3]);
  });

  it('keeps the same period of different series or respondents apart', () => {
    const { kept, duplicates } = run([rec('A', 'D', 1, 1), rec('A', 'NG', 1, 1), rec('B', 'D', 1, 1), rec('B', 'NG', 1, 1)]);
    expect(duplicates).toBe(0);
    expect(kept).toHaveLength(4);
  });

  it('does not let a dropped duplicate extend or break an identical run', () => {
    const recs = [rec('A', 'D', 1, 7), rec('A', 'D', 2, 9), rec('A', 'D', 2, 7), rec('A', 'D', 3, 7)];
    const { kept } = run(recs);
    expect(kept.map((r) => [r.value, (r.flags & Flag.IDENTICAL_RUN) !== 0])).toEqual([
      [7, false],
      [7, false],
      [7, true],
    ]);
  });

  it('computes the outlier median per series, over non-null values only', () => {
    const recs = [rec('A', 'D', 1, 100), rec('A', 'D', 2, null), rec('A', 'D', 3, 100), rec('A', 'D', 4, 1001), rec('B', 'D', 1, 1001)];
    const { kept } = run(recs);
    expect(kept.map((r) => (r.flags & Flag.GLOBAL_OUTLIER) !== 0)).toEqual([false, false, false, true, false]);
  });
});
