import { describe, expect, it } from 'vitest';
import { isEtlError } from '../../src/core/errors.js';
import { checkRegionCodes, expandRegions, offlineRespondents } from '../../src/core/region-selection.js';

const known = offlineRespondents();
const MARCH_2024 = [Date.UTC(2024, 2, 1), Date.UTC(2024, 3, 1)] as const;
const errorOf = (f: () => void): string => {
  try {
    f();
  } catch (e) {
    expect(isEtlError(e, 'ETL_CONFIG_INVALID')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a config error');
};

describe('--regions shorthands', () => {
  it('REGIONS is the 14 regions', () => {
    expect(expandRegions(['REGIONS'], known, ['demand'], ...MARCH_2024)).toEqual(
      ['CAL', 'CAR', 'CENT', 'FLA', 'MIDA', 'MIDW', 'NE', 'NW', 'NY', 'SE', 'SW', 'TEN', 'TEX', 'US48'],
    );
  });

  it('ALL with generation is every BA active in the range, generation-only ones included, no region', () => {
    const all = expandRegions(['ALL'], known, ['generation'], ...MARCH_2024);
    expect(all).toContain('AVRN');
    expect(all).toContain('DUK');
    expect(all).not.toContain('CAL');
    // retired before March 2024: AEC 2021, EEI 2020, GLHB 2022, NSB 2020, OVEC 2018; SIKE starts 2025, BHBA/SWPW 2026
    for (const c of ['AEC', 'EEI', 'GLHB', 'NSB', 'OVEC', 'GRMA', 'WAUE', 'SIKE', 'BHBA', 'SWPW']) expect(all).not.toContain(c);
    expect(all).toHaveLength(72 - 10);
  });

  it('ALL with demand only leaves out the generation-only BAs; with subregion only the BAs with subregions', () => {
    const demand = expandRegions(['ALL'], known, ['demand'], ...MARCH_2024);
    expect(demand).not.toContain('AVRN');
    expect(demand).not.toContain('SEPA');
    expect(demand).toContain('HST');
    expect(expandRegions(['ALL'], known, ['subregion'], ...MARCH_2024)).toEqual(['CISO', 'ERCO', 'ISNE', 'MISO', 'NYIS', 'PJM', 'PNM', 'SWPP']);
  });

  it('ALL in 2019 holds the BAs active then (EEI, NSB, AEC) and keeps a code the API lists that the table does not know', () => {
    const all = expandRegions(['ALL'], [...known, { code: 'NEWBA', name: 'New BA' }], ['generation'], Date.UTC(2019, 5, 1), Date.UTC(2019, 6, 1));
    for (const c of ['EEI', 'NSB', 'AEC', 'NEWBA']) expect(all).toContain(c);
    expect(all).not.toContain('GLHB');
  });

  it('keeps the user order of plain codes and appends expansions without duplicates', () => {
    expect(expandRegions(['PACW', 'ERCO', 'REGIONS'], known, ['demand'], ...MARCH_2024).slice(0, 3)).toEqual(['PACW', 'ERCO', 'CAL']);
    expect(expandRegions(['TEX', 'REGIONS'], known, ['demand'], ...MARCH_2024).filter((c) => c === 'TEX')).toHaveLength(1);
  });
});

describe('--regions against a list of known codes', () => {
  it('accepts every listed code and the shorthands', () => {
    expect(() => checkRegionCodes(['DUK', 'TVA', 'SOCO', 'BPAT', 'AVRN', 'ALL', 'REGIONS'], known)).not.toThrow();
  });

  it('accepts a code only because the list has it (the list is the authority)', () => {
    expect(() => checkRegionCodes(['NEWBA'], known)).toThrow(/unknown respondent 'NEWBA'/);
    expect(() => checkRegionCodes(['NEWBA'], [...known, { code: 'NEWBA', name: 'x' }])).not.toThrow();
    expect(() => checkRegionCodes(['DUK'], [{ code: 'TVA', name: 'x' }])).toThrow(/unknown respondent 'DUK'/);
  });

  it('names close matches and the allowed values in one line', () => {
    const msg = errorOf(() => checkRegionCodes(['PACW', 'DUKE'], known));
    expect(msg).toMatch(/^--regions: unknown respondent 'DUKE' \(did you mean DUK\?\); known: ALL, REGIONS, AEC, /);
    expect(msg).not.toContain('\n');
    expect(errorOf(() => checkRegionCodes(['XXXX'], known))).toMatch(/^--regions: unknown respondent 'XXXX'; known: ALL, REGIONS, /);
    expect(errorOf(() => checkRegionCodes(['ERCOT'], known))).toMatch(/did you mean ERCO\?/);
  });

  it('never lists a foreign partner as a respondent', () => {
    expect(() => checkRegionCodes(['HQT'], known)).toThrow(/unknown respondent 'HQT'/);
  });
});
