import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { sixMonthFile } from '../../../src/core/six-month-files.js';
import { ebaBuildAt } from '../../../src/simulator/bulk-eba.js';
import { gridMonitorCsv, gridMonitorHeader } from '../../../src/simulator/gridmon-csv.js';
import { SeamFilter } from '../../../src/sources/bulk/grid-monitor-records.js';
import { columnRole, planHeader, type GridMonitorFile } from '../../../src/sources/bulk/grid-monitor-columns.js';
import {
  parseGridMonitorNumber, parseGridMonitorTime, rowObservations, type GridMonitorBadCell, type GridMonitorObservation,
} from '../../../src/sources/bulk/grid-monitor-rows.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => parse(readFileSync(path.resolve(here, '../../fixtures/eia-bulk', name))) as string[][];

function load(file: GridMonitorFile, rows: string[][]) {
  const plan = planHeader(file, rows[0]!);
  const out: GridMonitorObservation[] = [];
  const bad: GridMonitorBadCell[] = [];
  for (const r of rows.slice(1)) rowObservations(plan, r, out, bad);
  return { plan, out, bad };
}
const H = (d: number, h: number) => Date.UTC(2020, 6, d, h);

describe('grid monitor columns', () => {
  it('match by name across header versions, including EIA’s own typo', () => {
    expect(columnRole('balance', 'Net Generation (MW) from Hydropower and Pumped Storage')).toMatchObject({ series: 'WAT', variant: 'reported' });
    expect(columnRole('balance', 'Net Generation (MW) from Hydropower Excluding Pumped Storage (Imputed)')).toMatchObject({ series: 'WAT', variant: 'imputed' });
    expect(columnRole('balance', 'Net Generation (MW) from Solar witho Integrated Battery Storage (Adjusted)')).toMatchObject({ series: 'SNB', variant: 'adjusted' });
    expect(columnRole('balance', 'Net Generation (MW) from Wind without Integrated Battery Storage')).toMatchObject({ series: 'WND' });
    expect(columnRole('balance', 'Demand Forecast (MW)')).toMatchObject({ dataset: 'region-data', series: 'DF' });
    expect(columnRole('balance', 'Sum(Valid DIBAs) (MW)')).toBeUndefined();
    expect(columnRole('balance', 'Region')).toBeUndefined();
  });
  it('refuse a header without the key columns, or two columns for one value', () => {
    expect(() => planHeader('balance', ['Region', 'Demand (MW)'])).toThrow(/lacks a required column/);
    expect(() => planHeader('balance', ['Balancing Authority', 'UTC Time at End of Hour', 'Demand (MW)', 'DEMAND (MW)']))
      .toThrow(/both map to region-data D reported/);
  });
});

describe('grid monitor cells', () => {
  it('read end-of-hour UTC times, and refuse what is not a whole hour', () => {
    expect(parseGridMonitorTime('07/01/2020 6:00:00 AM')).toBe(H(1, 6));
    expect(parseGridMonitorTime('07/01/2020 12:00:00 AM')).toBe(H(1, 0));
    expect(parseGridMonitorTime('07/01/2020 12:00:00 PM')).toBe(H(1, 12));
    expect(parseGridMonitorTime('12/31/2020 11:00:00 PM')).toBe(Date.UTC(2020, 11, 31, 23));
    for (const bad of ['07/01/2020 6:30:00 AM', '02/30/2020 1:00:00 AM', '2020-07-01 06:00', '07/01/2020 13:00:00 PM']) {
      expect(parseGridMonitorTime(bad), bad).toBeUndefined();
    }
  });
  it('read numbers with thousands separators; blank is missing', () => {
    expect(parseGridMonitorNumber('1,060')).toBe(1060);
    expect(parseGridMonitorNumber('-1,234,567')).toBe(-1234567);
    expect(parseGridMonitorNumber('497')).toBe(497);
    expect(parseGridMonitorNumber('')).toBeNull();
    expect(parseGridMonitorNumber('n/a')).toBeUndefined();
  });
});

describe('the real BALANCE sample (AEC, 2020-07-01)', () => {
  const { out, bad } = load('balance', fixture('EIA930_BALANCE_sample.csv'));
  const at = (series: string, h: number) => out.find((o) => o.series === series && o.period === H(1, h));

  it('gives region-data and fuel-type-data records with adjusted and imputed beside the reported value', () => {
    expect(bad).toEqual([]);
    expect(at('DF', 6)).toEqual({ dataset: 'region-data', respondent: 'AEC', series: 'DF', period: H(1, 6), value: 1060, adjusted: null, imputed: null });
    expect(at('D', 6)).toMatchObject({ value: 497, adjusted: 497, imputed: null });
    expect(at('NG', 6)).toMatchObject({ value: 681, adjusted: 681 });
    expect(at('TI', 6)).toMatchObject({ value: 184, adjusted: 184 });
    expect(at('COL', 6)).toMatchObject({ dataset: 'fuel-type-data', value: 139, adjusted: 139 });
    expect(at('NG', 7)).toMatchObject({ dataset: 'region-data', value: 642 });
  });
  it('emits no record for a fuel the BA leaves blank, and keeps reported zeros', () => {
    expect(out.some((o) => o.series === 'NUC')).toBe(false);
    expect(at('WAT', 7)).toMatchObject({ value: 0 });
  });
});

describe('the real INTERCHANGE sample (AECI, 2022-01-01)', () => {
  const { out, bad } = load('interchange', fixture('EIA930_INTERCHANGE_sample.csv'));
  it('gives one interchange-data record per neighbour and hour', () => {
    expect(bad).toEqual([]);
    expect(out).toHaveLength(9);
    expect(out[0]).toEqual({ dataset: 'interchange-data', respondent: 'AECI', series: 'MISO', period: Date.UTC(2022, 0, 1, 7), value: -391, adjusted: null, imputed: null });
    expect(new Set(out.map((o) => o.series))).toEqual(new Set(['MISO', 'SPA', 'SWPP', 'TVA']));
  });
});

describe('the real samples, more values read by eye', () => {
  it('BALANCE AEC 2020-07-01 14:00 UTC (hour 9): a separator in DF only, fuels and their adjusted twins', () => {
    const { out } = load('balance', fixture('EIA930_BALANCE_sample.csv'));
    const at = (series: string) => out.find((o) => o.series === series && o.period === H(1, 14));
    expect(at('DF')).toMatchObject({ value: 1170, adjusted: null, imputed: null });
    expect(at('D')).toMatchObject({ value: 569, adjusted: 569, imputed: null });
    expect(at('TI')).toMatchObject({ value: 96, adjusted: 96 });
    expect(at('COL')).toMatchObject({ value: 157, adjusted: 157 });
    expect(at('NG')).toMatchObject({ dataset: 'region-data', value: 665 });
    expect(out.find((o) => o.dataset === 'fuel-type-data' && o.series === 'NG' && o.period === H(1, 14))).toMatchObject({ value: 503, adjusted: 503 });
    expect(at('OTH')).toMatchObject({ value: 4, adjusted: 4 });
    expect(at('WAT')).toMatchObject({ value: 1 });
    // 9 rows × (DF, D, NG, TI, COL, NG gas, WAT, OTH): SUN, WND, NUC, OIL, UNK are blank throughout.
    expect(out).toHaveLength(9 * 8);
  });
  it('INTERCHANGE AECI 2022-01-01: 08:00 UTC to SWPP is -146, 09:00 UTC to MISO is -276', () => {
    const { out } = load('interchange', fixture('EIA930_INTERCHANGE_sample.csv'));
    expect(out.find((o) => o.series === 'SWPP' && o.period === Date.UTC(2022, 0, 1, 8))?.value).toBe(-146);
    expect(out.find((o) => o.series === 'TVA' && o.period === Date.UTC(2022, 0, 1, 8))?.value).toBe(231);
    expect(out.at(-1)).toEqual({ dataset: 'interchange-data', respondent: 'AECI', series: 'MISO', period: Date.UTC(2022, 0, 1, 9), value: -276, adjusted: null, imputed: null });
  });
});

describe('header variants by half-year (as the simulator writes them)', () => {
  it('plan every era: no fuels before 2018-H2, eight fuels to 2024-H1, the split fuels and EIA’s typo after', () => {
    const fuels = (year: number, half: 'Jan_Jun' | 'Jul_Dec') => {
      const plan = planHeader('balance', gridMonitorHeader({ kind: 'BALANCE', year, half }).names);
      return plan.values.filter((v) => v.dataset === 'fuel-type-data').map((v) => `${v.series}${v.adjusted !== undefined ? '+a' : ''}${v.imputed !== undefined ? '+i' : ''}`).sort();
    };
    expect(fuels(2015, 'Jul_Dec')).toEqual([]);
    expect(fuels(2018, 'Jan_Jun')).toEqual([]);
    expect(fuels(2018, 'Jul_Dec')).toEqual(['COL+a+i', 'NG+a+i', 'NUC+a+i', 'OIL+a+i', 'OTH+a+i', 'SUN+a+i', 'UNK', 'WAT+a+i', 'WND+a+i']);
    expect(fuels(2024, 'Jul_Dec')).toContain('SNB+a+i');
    expect(fuels(2024, 'Jul_Dec')).toContain('UNK');
    expect(fuels(2025, 'Jan_Jun')).toContain('UNK+a+i');
    expect(gridMonitorHeader({ kind: 'BALANCE', year: 2024, half: 'Jul_Dec' }).names).toContain('Net Generation (MW) from Solar witho Integrated Battery Storage (Adjusted)');
    for (const kind of ['INTERCHANGE', 'SUBREGION'] as const) {
      const file = kind === 'INTERCHANGE' ? 'interchange' : 'subregion';
      expect(planHeader(file, gridMonitorHeader({ kind, year: 2019, half: 'Jan_Jun' }).names).counterpart).toBe(3);
    }
  });
});

describe('seams', () => {
  it('keep the first copy of a key from the earlier file and count the later copies', () => {
    const seam = new SeamFilter();
    const jan = sixMonthFile('BALANCE', 2018, 'Jan_Jun');
    const jul = sixMonthFile('BALANCE', 2018, 'Jul_Dec');
    const t = (h: number) => Date.UTC(2018, 6, 1, h);
    seam.startFile(jan);
    for (let h = -3; h <= 7; h++) expect(seam.isDuplicate('region-data', 'PACW', 'D', t(h))).toBe(false);
    seam.startFile(jul);
    for (let h = 1; h <= 7; h++) expect(seam.isDuplicate('region-data', 'PACW', 'D', t(h))).toBe(true);
    expect(seam.isDuplicate('region-data', 'PACW', 'D', t(8))).toBe(false);
    expect(seam.isDuplicate('region-data', 'PACW', 'DF', t(1))).toBe(false);
    expect(seam.duplicates).toBe(7);
    // A file that does not adjoin the last one remembers nothing from it.
    seam.startFile(sixMonthFile('BALANCE', 2019, 'Jul_Dec'));
    seam.startFile(sixMonthFile('BALANCE', 2019, 'Jul_Dec'));
    expect(seam.isDuplicate('region-data', 'PACW', 'D', t(1))).toBe(false);
  });
  it('the simulator writes the seam hours into both files, by the BA’s local date', () => {
    const build = ebaBuildAt({ nowMs: Date.UTC(2025, 0, 1) }, Date.UTC(2025, 0, 1));
    const stamps = (half: 'Jan_Jun' | 'Jul_Dec') => {
      const rows = parse([...gridMonitorCsv(build, sixMonthFile('BALANCE', 2018, half), new Set(['PACW']))].join('')) as string[][];
      return rows.slice(1).map((r) => parseGridMonitorTime(r[4]!)!);
    };
    const jan = stamps('Jan_Jun');
    const jul = stamps('Jul_Dec');
    const both = jan.filter((t) => jul.includes(t));
    expect(both.map((t) => new Date(t).toISOString().slice(0, 13))).toEqual([1, 2, 3, 4, 5, 6, 7].map((h) => `2018-07-01T0${h}`));
    expect(jan[0]).toBe(Date.UTC(2018, 0, 1, 1));
  });
});
