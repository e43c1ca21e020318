/**
 * Normalize: the pure per-row conversions from an EIA row to the one `ObservationRecord` of all four routes.
 *
 * `validatePage` (validate.ts) calls these in one fused loop per page; they never throw and never allocate more
 * than the record itself. Facet codes stay strings (sub-BA codes such as `0027` keep their leading zeros).
 */
import type { EiaRow, ObservationRecord } from '../core/contracts.js';
import { DATASET_INFO, FUEL_TYPES, REGION_TYPES, RESPONDENTS, type RecordDataset } from '../core/catalog.js';
import type { HourlyFrequency } from '../core/time.js';

// Period parsing lives with the other hour arithmetic (the source's tally uses it too).
export { PeriodParser, parseLocalHourStamp, type HourlyFrequency } from '../core/time.js';

/**
 * The frequency a page's periods are in: `response.frequency` when it names one of the two, else the
 * `dateFormat` (`…TZH` = local-hourly), else `hourly` (what eia-stream requests).
 */
export function pageFrequency(frequency: string | null, dateFormat: string | null): HourlyFrequency {
  if (frequency === 'hourly' || frequency === 'local-hourly') return frequency;
  return dateFormat !== null && dateFormat.endsWith('TZH') ? 'local-hourly' : 'hourly';
}

/** Sentinel of `parseValue` for a value that is present but not a usable number. */
export const BAD_NUMBER = Symbol('bad-number');

/**
 * `value` as sent (string since 2.1.6, number in 2023) → a finite double, `null` (missing: `null`, `""`, `"NA"`,
 * or the key absent) or `BAD_NUMBER` (non-numeric text, `Infinity`/`NaN`, `"1e400"`, booleans, objects, or a
 * magnitude above `maxAbs`). `-0` becomes `0`.
 */
export function parseValue(raw: unknown, maxAbs: number): number | null | typeof BAD_NUMBER {
  let x: number;
  if (typeof raw === 'string') {
    if (raw === '' || raw === 'NA') return null;
    x = plainNumber(raw);
  } else if (typeof raw === 'number') {
    x = raw;
  } else if (raw === null || raw === undefined) {
    return null;
  } else {
    return BAD_NUMBER;
  }
  if (!Number.isFinite(x) || Math.abs(x) > maxAbs) return BAD_NUMBER;
  return x + 0;
}

/**
 * A plain decimal number (optional sign, digits with an optional fraction, optional exponent) → its value, else
 * NaN. `Number()` alone would also take hex, binary, octal, `Infinity` and surrounding white space; restricting the
 * characters to `0-9 + - . e E` leaves exactly the plain decimal grammar (an empty string is handled by the caller).
 */
function plainNumber(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // 0-9, '+', '-', '.', 'e', 'E'
    if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 101 || c === 69)) return NaN;
  }
  return Number(s);
}

/** Everything about a row that validation has already established. */
export interface RowFacts {
  readonly respondent: string;
  readonly series: string;
  /** UTC epoch ms of the hour-ending stamp. */
  readonly period: number;
  readonly value: number | null;
  readonly flags: number;
}

/**
 * Build the record of a validated row. Names come from the row (`respondent-name`, `type-name`, `fromba-name`,
 * `toba-name`, `subba-name`, `parent-name` per route) when they are strings, else from the catalog, else `''`.
 */
export function toRecord(
  dataset: RecordDataset,
  row: EiaRow,
  facts: RowFacts,
  sourcePage: string,
  ingestedAt: number,
): ObservationRecord {
  const info = DATASET_INFO[dataset];
  const rName = row[info.respondentNameKey];
  const sName = row[info.seriesNameKey];
  return {
    dataset,
    respondent: facts.respondent,
    respondent_name: typeof rName === 'string' ? rName : (RESPONDENTS[facts.respondent]?.name ?? ''),
    series: facts.series,
    series_name: typeof sName === 'string' ? sName : catalogSeriesName(dataset, facts.series),
    period: facts.period,
    value: facts.value,
    units: info.units,
    flags: facts.flags,
    source_page: sourcePage,
    ingested_at: ingestedAt,
  };
}

/** Catalog name of a series code, `''` when the catalog has none (interchange, sub-BA and CO2 codes). */
export function catalogSeriesName(dataset: RecordDataset, series: string): string {
  if (dataset === 'region-data') return REGION_TYPES[series] ?? '';
  if (dataset === 'fuel-type-data') return FUEL_TYPES[series] ?? '';
  if (dataset === 'interchange-data') return RESPONDENTS[series]?.name ?? '';
  return '';
}
