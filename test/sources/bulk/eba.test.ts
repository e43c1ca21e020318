import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEbaLocalStamp, parseEbaSeriesId, parseEbaUtcStamp, parseEbaValue } from '../../../src/sources/bulk/eba-series.js';
import { parseEbaLine, peekSeriesId } from '../../../src/sources/bulk/eba-line.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SAMPLE = path.resolve(here, '../../fixtures/eia-bulk/EBA_sample.txt');
const lines = readFileSync(SAMPLE, 'utf8').split('\n').filter((l) => l.length > 0);
const ALL_TIME: [number, number] = [0, Date.UTC(2100, 0, 1)];

describe('EBA series ids', () => {
  it.each([
    ['EBA.PJM-ALL.D.H', { dataset: 'region-data', respondent: 'PJM', series: 'D', local: false }],
    ['EBA.PGE-ALL.DF.H', { dataset: 'region-data', respondent: 'PGE', series: 'DF', local: false }],
    ['EBA.PGE-ALL.TI.H', { dataset: 'region-data', respondent: 'PGE', series: 'TI', local: false }],
    ['EBA.PGE-ALL.NG.H', { dataset: 'region-data', respondent: 'PGE', series: 'NG', local: false }],
    ['EBA.CENT-ALL.NG.COL.H', { dataset: 'fuel-type-data', respondent: 'CENT', series: 'COL', local: false }],
    ['EBA.PGE-ALL.NG.NG.H', { dataset: 'fuel-type-data', respondent: 'PGE', series: 'NG', local: false }],
    ['EBA.TEC-FPC.ID.H', { dataset: 'interchange-data', respondent: 'TEC', series: 'FPC', local: false }],
    ['EBA.CISO-PGAE.D.H', { dataset: 'region-sub-ba-data', respondent: 'CISO', series: 'PGAE', local: false }],
    ['EBA.MISO-0027.D.H', { dataset: 'region-sub-ba-data', respondent: 'MISO', series: '0027', local: false }],
    ['EBA.PJM-ALL.D.HL', { dataset: 'region-data', respondent: 'PJM', series: 'D', local: true }],
    // The CO2 series (no `-ALL`, no API route) map to the bulk-only dataset; the code is what follows `CO2.`.
    ['EBA.BHBA.CO2.CER.H', { dataset: 'co2-emissions', respondent: 'BHBA', series: 'CER', local: false }],
    ['EBA.CPLW.CO2.EM.OIL.H', { dataset: 'co2-emissions', respondent: 'CPLW', series: 'EM.OIL', local: false }],
    ['EBA.CPLW.CO2.EM.OIL.HL', { dataset: 'co2-emissions', respondent: 'CPLW', series: 'EM.OIL', local: true }],
  ])('%s maps to the record keys', (id, want) => {
    expect(parseEbaSeriesId(id)).toEqual({ kind: 'series', ...want });
  });

  it.each([
    ['EBA.BHBA.CO2.H', 'unrecognised'],
    ['EBA.BHBA-ALL.CO2.CER.H', 'unrecognised'],
    ['EBA.PJM-ALL.XX.H', 'unrecognised'],
    ['EBA.PJM-ALL.D.D', 'unrecognised'],
    ['ELEC.PLANT.GEN.H', 'unrecognised'],
    ['EBA.-ALL.D.H', 'unrecognised'],
  ])('%s is not a series of any dataset (%s)', (id, reason) => {
    expect(parseEbaSeriesId(id)).toEqual({ kind: 'other', reason });
  });
});

describe('EBA stamps and values', () => {
  it('reads both stamp forms as the same hour-ending UTC instant, and rejects the rest', () => {
    expect(parseEbaUtcStamp('20260922T19')).toBe(Date.UTC(2026, 8, 22, 19));
    expect(parseEbaUtcStamp('20200219T03Z')).toBe(Date.UTC(2020, 1, 19, 3));
    for (const bad of ['20260922T24', '20260230T01', '2026-09-22T19', '20260922T19-04', '20260922T1', '']) {
      expect(parseEbaUtcStamp(bad), bad).toBeUndefined();
    }
  });
  it('reads a local (HL) stamp back to the UTC instant of its H twin, by its own offset; rejects the rest', () => {
    // Pairs seen in EIA's files: the HL line's start is the same instant as its H line's start.
    expect(parseEbaLocalStamp('20181231T19-05')).toBe(Date.UTC(2019, 0, 1, 0));
    expect(parseEbaLocalStamp('20150722T01-07')).toBe(Date.UTC(2015, 6, 22, 8));
    expect(parseEbaLocalStamp('20260922T15-04')).toBe(Date.UTC(2026, 8, 22, 19));
    expect(parseEbaLocalStamp('20260101T09+10')).toBe(Date.UTC(2025, 11, 31, 23));
    for (const bad of ['20260922T15', '20260922T15Z', '20260922T15-4', '20260922T15-15', '20260922T24-04', '20260922T15-04Z', '']) {
      expect(parseEbaLocalStamp(bad), bad).toBeUndefined();
    }
  });
  it('reads numbers, numeric strings and nulls; rejects text', () => {
    expect(parseEbaValue('94038.00000000000000')).toBe(94038);
    expect(parseEbaValue('-147')).toBe(-147);
    expect(parseEbaValue(2983)).toBe(2983);
    expect(parseEbaValue(null)).toBeNull();
    expect(parseEbaValue('')).toBeNull();
    for (const bad of ['NA', 'abc', '1e999', {}, true]) expect(parseEbaValue(bad), String(bad)).toBeUndefined();
  });
});

describe('EBA lines (the real sample)', () => {
  it('peeks every series id without parsing, and nothing on a category line', () => {
    expect(lines.map(peekSeriesId)).toEqual([
      'EBA.CENT-ALL.NG.COL.H', 'EBA.CISO-PGAE.D.H', 'EBA.TEC-FPC.ID.H', 'EBA.BHBA.CO2.CER.H', 'EBA.PJM-ALL.D.H',
      'EBA.PJM-ALL.D.HL',
    ]);
    expect(peekSeriesId('{"category_id": 2122628, "name": "Demand", "childseries": []}')).toBeUndefined();
  });

  it('parses the UTC series into oldest-first points with numeric values; skips local-time lines', () => {
    const pjm = parseEbaLine(lines[4]!, ...ALL_TIME)!;
    expect(pjm.key).toMatchObject({ dataset: 'region-data', respondent: 'PJM', series: 'D' });
    expect(pjm.units).toBe('megawatthours');
    expect(pjm.points).toEqual([
      { period: Date.UTC(2026, 8, 22, 17), value: 94167 },
      { period: Date.UTC(2026, 8, 22, 18), value: 94535 },
      { period: Date.UTC(2026, 8, 22, 19), value: 94038 },
    ]);
    const tec = parseEbaLine(lines[2]!, ...ALL_TIME)!;
    expect(tec.key).toMatchObject({ dataset: 'interchange-data', respondent: 'TEC', series: 'FPC' });
    expect(tec.points.map((p) => p.value)).toEqual([-112, -183, -147]);
    expect(parseEbaLine(lines[5]!, ...ALL_TIME)).toBeUndefined(); // HL twin
    // The real CO2 line: metric tons, its three points null (missing), kept as nulls.
    const co2 = parseEbaLine(lines[3]!, ...ALL_TIME)!;
    expect(co2.key).toEqual({ kind: 'series', dataset: 'co2-emissions', respondent: 'BHBA', series: 'CER', local: false });
    expect(co2.units).toBe('CO2 metric tons');
    expect(co2.points).toEqual([3, 4, 5].map((h) => ({ period: Date.UTC(2026, 8, 22, h), value: null })));
  });

  it('with the local clock, the real HL twin of PJM demand gives the points of its UTC line, and the UTC line is not read', () => {
    const hl = parseEbaLine(lines[5]!, ...ALL_TIME, 'local')!;
    expect(hl.key).toEqual({ kind: 'series', dataset: 'region-data', respondent: 'PJM', series: 'D', local: true });
    expect(hl.points).toEqual(parseEbaLine(lines[4]!, ...ALL_TIME)!.points);
    expect(parseEbaLine(lines[4]!, ...ALL_TIME, 'local')).toBeUndefined();
    expect(parseEbaLine(lines[3]!, ...ALL_TIME, 'local')).toBeUndefined(); // the CO2 line is a UTC (H) line
  });

  it('keeps only points inside [start, end) and reports unreadable points for quarantine', () => {
    const pjm = parseEbaLine(lines[4]!, Date.UTC(2026, 8, 22, 18), Date.UTC(2026, 8, 22, 19))!;
    expect(pjm.points.map((p) => p.period)).toEqual([Date.UTC(2026, 8, 22, 18)]);
    const odd = JSON.stringify({
      series_id: 'EBA.X-ALL.D.H', data: [['20240101T02', 'n/a'], ['2024-01-01T01', '5'], ['20240101T00', '7']],
    });
    const s = parseEbaLine(odd, ...ALL_TIME)!;
    expect(s.points).toEqual([{ period: Date.UTC(2024, 0, 1, 0), value: 7 }]);
    expect(s.bad.map((b) => [b.index, b.reason])).toEqual([[1, 'BAD_PERIOD'], [0, 'BAD_VALUE']]);
  });
});
