import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
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
