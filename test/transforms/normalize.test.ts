import { describe, expect, it } from 'vitest';
import {
  BAD_NUMBER,
  PeriodParser,
  catalogSeriesName,
  pageFrequency,
  parseLocalHourStamp,
  parseValue,
  toRecord,
} from '../../src/transforms/normalize.js';

describe('parseValue', () => {
  it('parses strings (≥ 2.1.6) and numbers (2023) to the same double', () => {
    expect(parseValue('2455', 1e9)).toBe(2455);
    expect(parseValue(2455, 1e9)).toBe(2455);
    expect(parseValue('81500.25', 1e9)).toBe(81500.25);
    expect(parseValue('-3', 1e9)).toBe(-3);
    expect(parseValue('1.5e3', 1e9)).toBe(1500);
    expect(parseValue('.5', 1e9)).toBe(0.5);
  });

  it('reads null, "", "NA" and an absent value as missing (null)', () => {
    for (const v of [null, '', 'NA', undefined]) expect(parseValue(v, 1e9)).toBeNull();
  });

  it('turns -0 into 0', () => {
    expect(Object.is(parseValue('-0', 1e9), 0)).toBe(true);
    expect(Object.is(parseValue(-0, 1e9), 0)).toBe(true);
  });

  it('refuses text that Number() would bend: hex, spaces, Infinity, NaN, separators', () => {
    for (const v of ['0x10', ' 12', '12 ', '  ', 'Infinity', '-Infinity', 'NaN', '1,000', '1_000', 'abc', 'na', '1e400']) {
      expect(parseValue(v, 1e9), JSON.stringify(v)).toBe(BAD_NUMBER);
    }
  });

  it('refuses non-finite numbers, magnitudes beyond the bound, booleans and objects', () => {
    for (const v of [Infinity, -Infinity, NaN, 1e308, -1e10, true, false, {}, []]) expect(parseValue(v, 1e9)).toBe(BAD_NUMBER);
    expect(parseValue(1e9, 1e9)).toBe(1e9);
    expect(parseValue('-1000000000', 1e9)).toBe(-1e9);
  });
});

describe('period parsing', () => {
  it('parses hourly stamps as UTC hour-ending instants', () => {
    const p = new PeriodParser('hourly');
    expect(p.parse('2024-01-01T00')).toBe(Date.UTC(2024, 0, 1, 0));
    expect(p.parse('2019-12-11T20')).toBe(Date.UTC(2019, 11, 11, 20));
  });

  it('rejects malformed and impossible hourly stamps, and local forms on an hourly page', () => {
    const p = new PeriodParser('hourly');
    for (const s of ['2024-13-01T00', '2024-01-01', '2024-01-01T24', '2024-02-30T00', '2024-01-01T05-08', '2024-01-01 00', ' 2024-01-01T00', 2024010100, null]) {
      expect(p.parse(s), String(s)).toBeUndefined();
    }
  });

  it('remembers the last stamp without mixing up results', () => {
    const p = new PeriodParser('hourly');
    expect(p.parse('2024-01-01T05')).toBe(Date.UTC(2024, 0, 1, 5));
    expect(p.parse('2024-01-01T05')).toBe(Date.UTC(2024, 0, 1, 5));
    expect(p.parse('2024-13-01T05')).toBeUndefined();
    expect(p.parse('2024-13-01T05')).toBeUndefined();
    expect(p.parse('2024-01-01T06')).toBe(Date.UTC(2024, 0, 1, 6));
  });

  it('converts local-hourly stamps to UTC with their offset', () => {
    expect(parseLocalHourStamp('2023-03-20T00-07')).toBe(Date.UTC(2023, 2, 20, 7));
    expect(parseLocalHourStamp('2021-01-01T00-08')).toBe(Date.UTC(2021, 0, 1, 8));
    expect(parseLocalHourStamp('2024-01-01T00+05')).toBe(Date.UTC(2023, 11, 31, 19));
    expect(parseLocalHourStamp('2024-01-01T23-05')).toBe(Date.UTC(2024, 0, 2, 4));
  });

  it('tells the repeated local hour of a DST fall-back apart by its offset', () => {
    expect(parseLocalHourStamp('2023-11-05T01-07')).toBe(Date.UTC(2023, 10, 5, 8));
    expect(parseLocalHourStamp('2023-11-05T01-08')).toBe(Date.UTC(2023, 10, 5, 9));
  });

  it('rejects local stamps without an offset, with a bad offset, or a bad local hour', () => {
    for (const s of ['2024-01-01T00', '2024-01-01T00-15', '2024-01-01T00*05', '2024-01-01T00-0', '2024-01-01T24-05', '2024-01-01T00-0a']) {
      expect(parseLocalHourStamp(s), s).toBeUndefined();
    }
    expect(new PeriodParser('local-hourly').parse('2024-01-01T00')).toBeUndefined();
  });

  it('takes the page frequency from response.frequency, else dateFormat, else hourly', () => {
    expect(pageFrequency('hourly', null)).toBe('hourly');
    expect(pageFrequency('local-hourly', null)).toBe('local-hourly');
    expect(pageFrequency(null, 'YYYY-MM-DD"T"HH24TZH')).toBe('local-hourly');
    expect(pageFrequency(null, 'YYYY-MM-DD"T"HH24')).toBe('hourly');
    expect(pageFrequency(null, null)).toBe('hourly');
  });
});

describe('toRecord', () => {
  const facts = { period: Date.UTC(2024, 0, 1), value: 5, flags: 0 };

  it('maps interchange fromba/toba to respondent/series with their names', () => {
    const row = { fromba: 'CISO', 'fromba-name': 'Cal ISO', toba: 'BPAT', 'toba-name': 'Bonneville' };
    const rec = toRecord('interchange-data', row, { ...facts, respondent: 'CISO', series: 'BPAT' }, 'p', 1);
    expect(rec).toMatchObject({ respondent: 'CISO', respondent_name: 'Cal ISO', series: 'BPAT', series_name: 'Bonneville' });
  });

  it('maps sub-BA parent/subba to respondent/series and keeps leading zeros', () => {
    const row = { subba: '0027', 'subba-name': 'Sub', parent: 'CISO', 'parent-name': 'Parent' };
    const rec = toRecord('region-sub-ba-data', row, { ...facts, respondent: 'CISO', series: '0027' }, 'p', 1);
    expect(rec).toMatchObject({ respondent: 'CISO', respondent_name: 'Parent', series: '0027', series_name: 'Sub' });
  });

  it('falls back to catalog names, then to empty strings', () => {
    const rec = toRecord('fuel-type-data', { 'respondent-name': 7 }, { ...facts, respondent: 'PACW', series: 'SUN' }, 'p', 1);
    expect(rec).toMatchObject({ respondent_name: 'PacifiCorp West', series_name: 'Solar' });
    const unknown = toRecord('fuel-type-data', {}, { ...facts, respondent: 'ZZZZ', series: 'XYZ' }, 'p', 1);
    expect(unknown).toMatchObject({ respondent_name: '', series_name: '' });
    expect(catalogSeriesName('region-data', 'DF')).toBe('Day-ahead demand forecast');
    expect(catalogSeriesName('region-sub-ba-data', '0027')).toBe('');
  });
});
