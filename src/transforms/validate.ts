/**
 * Validate (fused with normalize): one page of EIA rows → records, quarantined rows and a duplicate count.
 *
 * Pure and batch-wise: one call per page, one pass over the rows plus one pass per series. Bad rows are data: every
 * row received ends up in exactly one of `records`, `quarantined` or `duplicates`. Rules: docs/eia-api.md §13.1 and
 * docs/parts/transforms.md. A row is checked in this order, and the first failure is its reason:
 *
 *   NOT_AN_OBJECT → MISSING_KEY → BAD_CODE → UNKNOWN_TYPE → BAD_PERIOD → OUT_OF_WINDOW → BAD_UNITS → BAD_VALUE
 *
 * Quality flags (`Flag`) never reject a row.
 */
import { Flag, type EiaRow, type ObservationRecord, type QuarantineReason, type QuarantineRecord } from '../core/contracts.js';
import { CODE_PATTERN, DATASET_INFO, FUEL_TYPES, REGION_TYPES, STORAGE_FUELS, type RecordDataset } from '../core/catalog.js';
import { configError } from '../core/errors.js';
import { formatHourStamp } from '../core/time.js';
import { BAD_NUMBER, PeriodParser, parseValue, toRecord, type HourlyFrequency } from './normalize.js';
import { PageSeries } from './page-series.js';

/** Tunable rules. Every field has a default (`DEFAULT_VALIDATE_OPTIONS`). */
export interface ValidateOptions {
  /**
   * MWh, ≤ 0. Generation of a known non-storage fuel (fuel-type-data; not in `STORAGE_FUELS`, which includes `OTH`)
   * below this gets `NEGATIVE_GENERATION`. Default −50 (station service, night-time solar and wind).
   */
  readonly negativeGenerationToleranceMwh: number;
  /** > 0. `GLOBAL_OUTLIER` when |x − median| > `outlierMedians` · |median| (median of the series in the page). Default 9. */
  readonly outlierMedians: number;
  /**
   * Series the outlier rule applies to. `demand` (default): region-data `D`/`DF` and sub-BA demand, the level series
   * the Ruggles/PUDL rule was built for. `all`: every series (solar and wind, whose median is near 0, then flag much
   * of their daytime output: 46 of 169 PACW SUN hours in the 2023 recording).
   */
  readonly outlierScope: 'demand' | 'all';
  /** ≥ 2. `IDENTICAL_RUN` on the n-th and later identical values of a series in consecutive hours. Default 3. */
  readonly identicalRunLength: number;
  /** MWh, > 0. A value whose magnitude exceeds this is `BAD_VALUE`. Default 1e9. */
  readonly maxAbsValueMwh: number;
  /** The request asked for `data[0]=value`, so a row without a `value` key is `MISSING_KEY`. Default true. */
  readonly valueRequired: boolean;
}

/** The defaults of every rule. */
export const DEFAULT_VALIDATE_OPTIONS: Readonly<ValidateOptions> = Object.freeze({
  negativeGenerationToleranceMwh: -50,
  outlierMedians: 9,
  outlierScope: 'demand',
  identicalRunLength: 3,
  maxAbsValueMwh: 1e9,
  valueRequired: true,
});

/** Options objects returned by `resolveValidateOptions` (already checked). */
const RESOLVED = new WeakSet<object>([DEFAULT_VALIDATE_OPTIONS]);

/** Merge `partial` over the defaults and check it; throws `ETL_CONFIG_INVALID` naming the bad option. */
export function resolveValidateOptions(partial: Partial<ValidateOptions> = {}): Readonly<ValidateOptions> {
  if (RESOLVED.has(partial)) return partial as Readonly<ValidateOptions>;
  const o = { ...DEFAULT_VALIDATE_OPTIONS, ...partial };
  const bad = (name: string, want: string, got: unknown) =>
    configError(`transforms.${name} must be ${want}, got ${JSON.stringify(got)}`);
  if (!(o.negativeGenerationToleranceMwh <= 0)) throw bad('negativeGenerationToleranceMwh', 'a number ≤ 0', o.negativeGenerationToleranceMwh);
  if (!(o.outlierMedians > 0) || !Number.isFinite(o.outlierMedians)) throw bad('outlierMedians', 'a finite number > 0', o.outlierMedians);
  if (o.outlierScope !== 'demand' && o.outlierScope !== 'all') throw bad('outlierScope', "'demand' or 'all'", o.outlierScope);
  if (!Number.isInteger(o.identicalRunLength) || o.identicalRunLength < 2) throw bad('identicalRunLength', 'an integer ≥ 2', o.identicalRunLength);
  if (!(o.maxAbsValueMwh > 0)) throw bad('maxAbsValueMwh', 'a number > 0', o.maxAbsValueMwh);
  if (typeof o.valueRequired !== 'boolean') throw bad('valueRequired', 'a boolean', o.valueRequired);
  const resolved = Object.freeze(o);
  RESOLVED.add(resolved);
  return resolved;
}

/** What `validatePage` needs to know about the page besides its rows. */
export interface PageContext {
  readonly dataset: RecordDataset;
  /** `FetchedPage.pageId`: the records' `source_page`. */
  readonly sourcePage: string;
  /** Run start, epoch ms. */
  readonly ingestedAt: number;
  /** Period format of the page (`pageFrequency(envelope.frequency, envelope.dateFormat)`). */
  readonly frequency: HourlyFrequency;
  /** When set, rows whose UTC period is outside `[startMs, endMs)` are `OUT_OF_WINDOW` (the unit's window). */
  readonly window?: { readonly startMs: number; readonly endMs: number };
}

/** The outcome of one page: `rows.length === records.length + quarantined.length + duplicates`. */
export interface PageResult {
  /** Accepted rows in page order (of a duplicated key, only the latest row is here). */
  readonly records: ObservationRecord[];
  readonly quarantined: QuarantineRecord[];
  /** Rows dropped because a later row of the page had the same natural key (period, respondent, series). */
  readonly duplicates: number;
}

/**
 * Validate and normalize one page of rows (`envelope.rows`). Pure; never throws for bad rows. `options` are merged
 * over `DEFAULT_VALIDATE_OPTIONS` and checked (options from `resolveValidateOptions` are not checked again); bad
 * options throw `ETL_CONFIG_INVALID`.
 */
export function validatePage(rows: readonly unknown[], ctx: PageContext, options?: Partial<ValidateOptions>): PageResult {
  const o = resolveValidateOptions(options);
  const { dataset, sourcePage, ingestedAt, window } = ctx;
  const info = DATASET_INFO[dataset];
  const respKey = info.respondentFacet;
  const seriesKey = info.seriesFacet;
  const isRegion = dataset === 'region-data';
  const isFuel = dataset === 'fuel-type-data';
  const isSubBa = dataset === 'region-sub-ba-data';
  const wireUnits = info.wireUnits;
  const periods = new PeriodParser(ctx.frequency);
  const records: ObservationRecord[] = [];
  const quarantined: QuarantineRecord[] = [];
  const series = new PageSeries();
  // Codes already found valid in this page: a page holds few distinct codes.
  const goodCodes = new Set<string>();
  const isCode = (v: unknown): v is string =>
    typeof v === 'string' && (goodCodes.has(v) || (CODE_PATTERN.test(v) && goodCodes.add(v) !== undefined));

  const reject = (i: number, row: unknown, reason: QuarantineReason, detail: string): void => {
    quarantined.push({ dataset, reason, detail, raw: rawJson(row), source_page: sourcePage, row_index: i, ingested_at: ingestedAt });
  };

  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      reject(i, row, 'NOT_AN_OBJECT', `row: found ${show(row)}, expected an object`);
      continue;
    }
    const r = row as EiaRow;
    const periodRaw = r.period;
    const respRaw = r[respKey];
    const seriesRaw = r[seriesKey];
    const valueRaw = r.value;
    if (periodRaw === undefined || respRaw === undefined || seriesRaw === undefined || (o.valueRequired && valueRaw === undefined)) {
      const missing = ['period', respKey, seriesKey, ...(o.valueRequired ? ['value'] : [])].filter((k) => r[k] === undefined);
      reject(i, row, 'MISSING_KEY', `missing key ${missing.join(', ')}; expected period, ${respKey}, ${seriesKey}${o.valueRequired ? ', value' : ''}`);
      continue;
    }
    if (!isCode(respRaw)) {
      reject(i, row, 'BAD_CODE', `${respKey}: found ${show(respRaw)}, expected a code matching ${CODE_PATTERN.source}`);
      continue;
    }
    if (!isCode(seriesRaw)) {
      reject(i, row, 'BAD_CODE', `${seriesKey}: found ${show(seriesRaw)}, expected a code matching ${CODE_PATTERN.source}`);
      continue;
    }
    if (isRegion && !Object.hasOwn(REGION_TYPES, seriesRaw)) {
      reject(i, row, 'UNKNOWN_TYPE', `type: found ${show(seriesRaw)}, expected one of ${Object.keys(REGION_TYPES).join(', ')}`);
      continue;
    }
    const period = periods.parse(periodRaw);
    if (period === undefined) {
      reject(i, row, 'BAD_PERIOD', `period: found ${show(periodRaw)}, expected ${periods.expected}`);
      continue;
    }
    if (window !== undefined && (period < window.startMs || period >= window.endMs)) {
      reject(i, row, 'OUT_OF_WINDOW', `period: found ${show(periodRaw)} (${formatHourStamp(period)} UTC), expected within [${formatHourStamp(window.startMs)}, ${formatHourStamp(window.endMs)})`);
      continue;
    }
    const units = r['value-units'];
    if (units !== undefined && units !== null && units !== wireUnits) {
      reject(i, row, 'BAD_UNITS', `value-units: found ${show(units)}, expected "${wireUnits}"`);
      continue;
    }
    const value = parseValue(valueRaw, o.maxAbsValueMwh);
    if (value === BAD_NUMBER) {
      reject(i, row, 'BAD_VALUE', `value: found ${show(valueRaw)}, expected a finite number within ±${o.maxAbsValueMwh} ${info.units}, null, "" or "NA"`);
      continue;
    }

    const demand = isSubBa || (isRegion && (seriesRaw === 'D' || seriesRaw === 'DF'));
    let flags = 0;
    if (value === null) flags |= Flag.MISSING_VALUE;
    else if (demand && value <= 0) flags |= Flag.NEGATIVE_OR_ZERO_DEMAND;
    if (isFuel) {
      if (!Object.hasOwn(FUEL_TYPES, seriesRaw)) flags |= Flag.UNKNOWN_CODE;
      else if (value !== null && value < o.negativeGenerationToleranceMwh && !STORAGE_FUELS.has(seriesRaw)) flags |= Flag.NEGATIVE_GENERATION;
    }

    records.push(toRecord(dataset, r, { respondent: respRaw, series: seriesRaw, period, value, flags }, sourcePage, ingestedAt));
    series.add(records, records.length - 1, demand);
  }

  return { records: series.finish(records, o), quarantined, duplicates: series.duplicates };
}

/** A found value for a detail line: JSON (so NUL and newlines are escaped), at most 60 chars; `absent` for undefined. */
function show(v: unknown): string {
  if (v === undefined) return 'absent';
  // JSON leaves U+2028/U+2029 raw; escape them too so a detail stays one line everywhere.
  const s = (JSON.stringify(v) ?? String(v)).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function rawJson(row: unknown): string {
  return JSON.stringify(row) ?? String(row);
}
