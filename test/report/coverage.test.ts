import { describe, expect, it } from 'vitest';
import { coverageCells, expectedHours, monthsOf } from '../../src/report/coverage.js';
import type { DatasetExtent } from '../../src/report/model.js';

const at = (s: string) => Date.parse(`${s}:00:00Z`);

describe('coverage cells', () => {
  it('lists the months of hour-ending stamps by the hour start (UTC)', () => {
    // 2024-01-01T00 is the hour 2023-12-31T23–24: it belongs to December.
    expect(monthsOf(at('2024-01-01T00'), at('2024-03-01T00'))).toEqual(['2023-12', '2024-01', '2024-02']);
    expect(monthsOf(at('2024-01-01T01'), at('2024-01-31T05'))).toEqual(['2024-01']);
    expect(monthsOf(at('2019-12-01T01'), at('2020-02-01T01'))).toEqual(['2019-12', '2020-01', '2020-02']);
  });

  it('counts the hour stamps of a month inside a span', () => {
    expect(expectedHours('2024-01', at('2019-01-01T00'), at('2026-01-01T00'))).toBe(31 * 24);
    expect(expectedHours('2024-02', at('2019-01-01T00'), at('2026-01-01T00'))).toBe(29 * 24);
    expect(expectedHours('2023-12', at('2024-01-01T00'), at('2024-03-01T00'))).toBe(1);
    expect(expectedHours('2024-01', at('2024-01-10T01'), at('2024-01-10T10'))).toBe(10);
    expect(expectedHours('2024-03', at('2024-01-10T01'), at('2024-01-10T10'))).toBe(0);
  });

  it('expects each series only inside its own span and leaves months outside every span without a cell', () => {
    const extent: DatasetExtent = { dataset: 'fuel-type-data', respondents: 2, series: 2, rows: 0, firstMs: at('2024-01-01T01'), lastMs: at('2024-03-01T00') };
    const spans = [
      { dataset: 'fuel-type-data', respondent: 'AAA', series: 'NG', firstMs: at('2024-01-01T01'), lastMs: at('2024-03-01T00') },
      // BAT starts on Feb 1: January expects NG only.
      { dataset: 'fuel-type-data', respondent: 'AAA', series: 'BAT', firstMs: at('2024-02-01T01'), lastMs: at('2024-03-01T00') },
      { dataset: 'fuel-type-data', respondent: 'BBB', series: 'NG', firstMs: at('2024-02-01T01'), lastMs: at('2024-03-01T00') },
      { dataset: 'region-data', respondent: 'AAA', series: 'D', firstMs: 0, lastMs: at('2024-03-01T00') },
    ];
    const counts = [
      { dataset: 'fuel-type-data', respondent: 'AAA', month: '2024-01', present: 744 - 10 },
      { dataset: 'fuel-type-data', respondent: 'AAA', month: '2024-02', present: 2 * 696 },
      { dataset: 'fuel-type-data', respondent: 'BBB', month: '2024-02', present: 348 },
    ];
    const { cells, respondents, months } = coverageCells(extent, counts, spans);
    expect(months).toEqual(['2024-01', '2024-02']);
    expect(respondents).toEqual(['AAA', 'BBB']);
    expect(cells).toEqual([
      { respondent: 'AAA', month: '2024-01', present: 734, expected: 744, share: 734 / 744 },
      { respondent: 'AAA', month: '2024-02', present: 1392, expected: 1392, share: 1 },
      { respondent: 'BBB', month: '2024-02', present: 348, expected: 696, share: 0.5 },
    ]);
  });
});
