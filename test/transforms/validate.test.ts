import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Flag, type FlagName, type QuarantineReason } from '../../src/core/contracts.js';
import type { Dataset } from '../../src/core/catalog.js';
import { isEtlError } from '../../src/core/errors.js';
import { formatHourStamp } from '../../src/core/time.js';
import { parseEnvelope } from '../../src/sources/eia/envelope.js';
import { DEFAULT_VALIDATE_OPTIONS, resolveValidateOptions, validatePage, type PageContext } from '../../src/transforms/validate.js';
import type { HourlyFrequency } from '../../src/transforms/normalize.js';
import { datasetOf, loadRecorded, ms } from './fixtures/pages.js';

interface KeptExpect {
  value: number | null;
  flags: FlagName[];
  respondent?: string;
  series?: string;
  period?: string;
  respondent_name?: string;
  series_name?: string;
}
type Expect = KeptExpect | { reason: QuarantineReason; key: string } | { duplicate: true };
interface WeirdPage {
  name: string;
  dataset: Dataset;
  frequency: HourlyFrequency;
  window?: [string, string];
  rows: unknown[];
  expect: Expect[];
}

const weird: { pages: WeirdPage[] } = JSON.parse(
  readFileSync(new URL('./fixtures/weird-rows.json', import.meta.url), 'utf8'),
);

const INGESTED_AT = Date.UTC(2025, 0, 1);
function ctxOf(p: { dataset: Dataset; frequency?: HourlyFrequency; window?: [string, string] }, sourcePage = 'unit-p0'): PageContext {
  return {
    dataset: p.dataset,
    sourcePage,
    ingestedAt: INGESTED_AT,
    frequency: p.frequency ?? 'hourly',
    window: p.window && { startMs: ms(p.window[0]), endMs: ms(p.window[1]) },
  };
}
const flagNames = (flags: number) => (Object.keys(Flag) as FlagName[]).filter((n) => (flags & Flag[n]) !== 0);

describe('validatePage on the weird-rows fixture', () => {
  for (const page of weird.pages) {
    describe(page.name, () => {
      const result = validatePage(page.rows, ctxOf(page), undefined);

      it('has one expectation per row (fixture sanity)', () => {
        expect(page.expect).toHaveLength(page.rows.length);
      });

      it('accounts for every row: records + quarantined + duplicates = rows received', () => {
        expect(result.records.length + result.quarantined.length + result.duplicates).toBe(page.rows.length);
      });

      it('quarantines exactly the expected rows with the expected reason, naming the key', () => {
        const expected = page.expect.flatMap((e, i) => ('reason' in e ? [{ row_index: i, reason: e.reason, key: e.key }] : []));
        const got = result.quarantined.map((q) => ({ row_index: q.row_index, reason: q.reason, key: expected.find((x) => x.row_index === q.row_index)?.key }));
        expect(got).toEqual(expected);
        for (const q of result.quarantined) {
          const key = expected.find((x) => x.row_index === q.row_index)!.key;
          const lead = q.reason === 'MISSING_KEY' ? `missing key ${key}` : `${key}: found `;
          expect(q.detail.startsWith(lead), `detail "${q.detail}" starts with "${lead}"`).toBe(true);
          expect(q.detail).toContain('expected');
          expect(q.detail).not.toMatch(/[\n\r\u0000]/);
        }
      });

      it('keeps each quarantined row verbatim with its page, index, dataset and ingestion time', () => {
        for (const q of result.quarantined) {
          expect(q.raw).toBe(JSON.stringify(page.rows[q.row_index]) ?? String(page.rows[q.row_index]));
          expect(q).toMatchObject({ dataset: page.dataset, source_page: 'unit-p0', ingested_at: INGESTED_AT });
        }
      });

      it('counts the expected duplicates', () => {
        expect(result.duplicates).toBe(page.expect.filter((e) => 'duplicate' in e).length);
      });

      it('keeps the expected rows, in page order, with the expected values, flags and fields', () => {
        const kept = page.expect.filter((e): e is KeptExpect => 'value' in e);
        expect(result.records).toHaveLength(kept.length);
        result.records.forEach((rec, k) => {
          const e = kept[k];
          expect(rec.value, `record ${k}`).toBe(e.value);
          expect(flagNames(rec.flags), `record ${k} flags`).toEqual(e.flags);
          if (e.respondent !== undefined) expect(rec.respondent).toBe(e.respondent);
          if (e.series !== undefined) expect(rec.series).toBe(e.series);
          if (e.period !== undefined) expect(formatHourStamp(rec.period)).toBe(e.period);
          if (e.respondent_name !== undefined) expect(rec.respondent_name).toBe(e.respondent_name);
          if (e.series_name !== undefined) expect(rec.series_name).toBe(e.series_name);
          expect(rec).toMatchObject({ dataset: page.dataset, units: 'MWh', source_page: 'unit-p0', ingested_at: INGESTED_AT });
        });
      });
    });
  }

  it('covers every quarantine reason and every flag', () => {
    const reasons = new Set<string>();
    const flags = new Set<string>();
    for (const p of weird.pages) {
      for (const e of p.expect) {
        if ('reason' in e) reasons.add(e.reason);
        if ('flags' in e) e.flags.forEach((f) => flags.add(f));
      }
    }
    expect([...reasons].sort()).toEqual(['BAD_CODE', 'BAD_PERIOD', 'BAD_UNITS', 'BAD_VALUE', 'MISSING_KEY', 'NOT_AN_OBJECT', 'OUT_OF_WINDOW', 'UNKNOWN_TYPE']);
    expect([...flags].sort()).toEqual(Object.keys(Flag).sort());
  });
});

describe('validatePage on the recorded real responses', () => {
  const pages = loadRecorded()
    .filter((r) => r.status === 200)
    .map((r) => ({ ...r, dataset: datasetOf(r.uri), envelope: parseEnvelope(r.body) }));

  for (const p of pages) {
    it(`${p.file}: every row loads (records = total, nothing quarantined or duplicated)`, () => {
      const res = validatePage(p.envelope.rows, ctxOf({ dataset: p.dataset }));
      expect(res.quarantined).toEqual([]);
      expect(res.duplicates).toBe(0);
      expect(res.records).toHaveLength(p.envelope.total);
      expect(res.records.every((r) => r.respondent === 'PACW' && r.respondent_name === 'PacifiCorp West')).toBe(true);
    });
  }

  it('loads the 47 negative PACW WND hours of 2023 without rejection and without NEGATIVE_GENERATION', () => {
    const p = pages.find((x) => x.file === 'eia_oregon_renewable_0.json')!;
    const res = validatePage(p.envelope.rows, ctxOf({ dataset: 'fuel-type-data' }));
    expect(res.records).toHaveLength(845);
    const negWind = res.records.filter((r) => r.series === 'WND' && r.value !== null && r.value < 0);
    expect(negWind).toHaveLength(47);
    expect(negWind.some((r) => (r.flags & Flag.NEGATIVE_GENERATION) !== 0)).toBe(false);
    expect(Math.min(...negWind.map((r) => r.value!))).toBe(-3);
  });

  it('turns the first recorded row into the documented record', () => {
    const p = pages.find((x) => x.file === 'extract_orchestrator_oregon_generation_0.json')!;
    const res = validatePage(p.envelope.rows, ctxOf({ dataset: 'fuel-type-data' }, 'fuel-type-data-2024-abc-p0'));
    expect(res.records[0]).toEqual({
      dataset: 'fuel-type-data',
      respondent: 'PACW',
      respondent_name: 'PacifiCorp West',
      series: 'NG',
      series_name: 'Natural Gas',
      period: Date.UTC(2024, 0, 1, 0),
      value: 0,
      units: 'MWh',
      flags: 0,
      source_page: 'fuel-type-data-2024-abc-p0',
      ingested_at: INGESTED_AT,
    });
  });

  it('flags the constant-zero PACW NG series as an identical run from its 3rd hour', () => {
    const p = pages.find((x) => x.file === 'eia_oregon_renewable_0.json')!;
    const ng = validatePage(p.envelope.rows, ctxOf({ dataset: 'fuel-type-data' })).records.filter((r) => r.series === 'NG');
    expect(ng.map((r) => (r.flags & Flag.IDENTICAL_RUN) !== 0)).toEqual(ng.map((_, i) => i >= 2));
  });

  it('counts a whole page sent twice as duplicates, keeping one record per key', () => {
    const p = pages.find((x) => x.file === 'eia_oregon_demand_0.json')!;
    const res = validatePage([...p.envelope.rows, ...p.envelope.rows], ctxOf({ dataset: 'region-data' }));
    expect(res.records).toHaveLength(169);
    expect(res.duplicates).toBe(169);
  });
});

describe('validatePage options', () => {
  const fuel = (fueltype: string, value: string, hour = 1) => ({
    period: `2024-01-01T${String(hour).padStart(2, '0')}`,
    respondent: 'CISO',
    fueltype,
    value,
    'value-units': 'megawatthours',
  });
  const ctx = ctxOf({ dataset: 'fuel-type-data' });

  it('uses the negative-generation tolerance: default −50, configurable', () => {
    const rows = [fuel('SUN', '-60')];
    expect(validatePage(rows, ctx).records[0].flags).toBe(Flag.NEGATIVE_GENERATION);
    expect(validatePage(rows, ctx, { negativeGenerationToleranceMwh: -100 }).records[0].flags).toBe(0);
    expect(validatePage([fuel('SUN', '-1')], ctx, { negativeGenerationToleranceMwh: 0 }).records[0].flags).toBe(Flag.NEGATIVE_GENERATION);
  });

  it('never flags storage fuels or OTH as negative generation', () => {
    for (const code of ['BAT', 'PS', 'OES', 'UES', 'SNB', 'WNB', 'OTH']) {
      expect(validatePage([fuel(code, '-5000')], ctx).records[0].flags, code).toBe(0);
    }
  });

  it('applies the outlier rule to demand only by default, to every series with outlierScope "all"', () => {
    const rows = [1, 2, 3, 4, 5].map((h) => fuel('SUN', h === 3 ? '500' : '10', h));
    expect(validatePage(rows, ctx).records.some((r) => r.flags & Flag.GLOBAL_OUTLIER)).toBe(false);
    const all = validatePage(rows, ctx, { outlierScope: 'all' }).records;
    expect(all.map((r) => (r.flags & Flag.GLOBAL_OUTLIER) !== 0)).toEqual([false, false, true, false, false]);
  });

  it('uses outlierMedians as the multiple of the median', () => {
    const rows = [1, 2, 3].map((h) => ({ period: `2024-01-01T0${h}`, respondent: 'ERCO', type: 'D', value: h === 2 ? '400' : '100' }));
    const region = ctxOf({ dataset: 'region-data' });
    expect(validatePage(rows, region).records[1].flags & Flag.GLOBAL_OUTLIER).toBe(0);
    expect(validatePage(rows, region, { outlierMedians: 2 }).records[1].flags & Flag.GLOBAL_OUTLIER).toBe(Flag.GLOBAL_OUTLIER);
  });

  it('uses identicalRunLength, and a missing value breaks a run', () => {
    const rows = [1, 2, 3, 4, 5].map((h) => fuel('WAT', h === 3 ? '' : '7', h));
    const runs = (n: number) => validatePage(rows, ctx, { identicalRunLength: n }).records.map((r) => (r.flags & Flag.IDENTICAL_RUN) !== 0);
    expect(runs(3)).toEqual([false, false, false, false, false]);
    expect(runs(2)).toEqual([false, true, false, false, true]);
  });

  it('finds runs in period order even when rows arrive unsorted', () => {
    const rows = [3, 1, 2].map((h) => fuel('WAT', '7', h));
    expect(validatePage(rows, ctx).records.map((r) => (r.flags & Flag.IDENTICAL_RUN) !== 0)).toEqual([true, false, false]);
  });

  it('keeps a detail on one line even for codes holding line separators', () => {
    const [q] = validatePage([fuel('W\u2028\nND', '1')], ctx).quarantined;
    expect(q.reason).toBe('BAD_CODE');
    expect(q.detail).not.toMatch(/[\n\r\u2028\u2029]/);
    expect(q.detail).toContain('W\\u2028\\nND');
  });

  it('uses maxAbsValueMwh as the hard value bound', () => {
    expect(validatePage([fuel('NG', '2000')], ctx, { maxAbsValueMwh: 1000 }).quarantined[0].reason).toBe('BAD_VALUE');
  });

  it('keeps rows without a value key as missing values when no value was requested', () => {
    const row = { period: '2024-01-01T01', respondent: 'CISO', fueltype: 'NG' };
    expect(validatePage([row], ctx).quarantined[0].reason).toBe('MISSING_KEY');
    const rec = validatePage([row], ctx, { valueRequired: false }).records[0];
    expect(rec.value).toBeNull();
    expect(rec.flags).toBe(Flag.MISSING_VALUE);
  });

  it('rejects nonsense options with ETL_CONFIG_INVALID naming the option', () => {
    const bad = [
      { negativeGenerationToleranceMwh: 5 },
      { negativeGenerationToleranceMwh: NaN },
      { outlierMedians: 0 },
      { outlierScope: 'some' as 'all' },
      { identicalRunLength: 1 },
      { maxAbsValueMwh: -1 },
    ];
    for (const o of bad) {
      const name = Object.keys(o)[0];
      try {
        resolveValidateOptions(o);
        expect.unreachable(`${name} accepted`);
      } catch (e) {
        expect(isEtlError(e, 'ETL_CONFIG_INVALID')).toBe(true);
        expect((e as Error).message).toContain(name);
      }
    }
  });

  it('resolves to the documented defaults', () => {
    expect(resolveValidateOptions()).toEqual({
      negativeGenerationToleranceMwh: -50,
      outlierMedians: 9,
      outlierScope: 'demand',
      identicalRunLength: 3,
      maxAbsValueMwh: 1e9,
      valueRequired: true,
    });
    expect(resolveValidateOptions(DEFAULT_VALIDATE_OPTIONS)).toBe(DEFAULT_VALIDATE_OPTIONS);
  });
});
