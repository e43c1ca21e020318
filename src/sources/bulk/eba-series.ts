/**
 * EBA bulk series ids → the API's record keys, and the bulk file's period stamps → UTC instants.
 *
 * `EBA.txt` (the one member of EIA's `EBA.zip`) names each series `EBA.<AREA>-<OTHER>.<KIND>[.<FUEL>].<FREQ>`
 * (docs/eia-bulk.md §1). The mapping to the API's routes:
 *
 * | bulk id                     | dataset              | respondent | series |
 * |-----------------------------|----------------------|------------|--------|
 * | `EBA.<BA>-ALL.<D,DF,NG,TI>.H` | `region-data`      | BA         | type   |
 * | `EBA.<BA>-ALL.NG.<FUEL>.H`  | `fuel-type-data`     | BA         | fuel   |
 * | `EBA.<BA>-<BA2>.ID.H`       | `interchange-data`   | BA (from)  | BA2    |
 * | `EBA.<BA>-<SUB>.D.H`        | `region-sub-ba-data` | BA (parent)| SUB    |
 * | `EBA.<BA>.CO2.<CODE>.H`     | `co2-emissions`      | BA         | CODE (`CER`, `EM.OIL`) |
 *
 * `.HL` ids are the same series on the BA's local clock (same hours and values, stamps `YYYYMMDDTHH±HH`). The CO2
 * ids (no `-ALL`; metric tons of CO2) have no API route: their dataset exists only in the bulk file.
 */
import type { RecordDataset } from '../../core/catalog.js';

/** The record key of a bulk series, or why the series has no API twin. */
export type EbaSeriesKey =
  | { readonly kind: 'series'; readonly dataset: RecordDataset; readonly respondent: string; readonly series: string; readonly local: boolean }
  | { readonly kind: 'other'; readonly reason: 'unrecognised' };

const REGION_TYPES = new Set(['D', 'DF', 'NG', 'TI']);

/** Maps a bulk `series_id` to its record key (dataset, respondent, series); pure, no catalog lookup. */
export function parseEbaSeriesId(id: string): EbaSeriesKey {
  const parts = id.split('.');
  if (parts.length < 4 || parts[0] !== 'EBA') return { kind: 'other', reason: 'unrecognised' };
  const freq = parts[parts.length - 1];
  if (freq !== 'H' && freq !== 'HL') return { kind: 'other', reason: 'unrecognised' };
  const local = freq === 'HL';
  const area = parts[1]!;
  if (parts[2] === 'CO2') {
    const code = parts.slice(3, -1).join('.');
    if (!code || area.includes('-')) return { kind: 'other', reason: 'unrecognised' };
    return { kind: 'series', dataset: 'co2-emissions', respondent: area, series: code, local };
  }
  const dash = area.indexOf('-');
  if (dash <= 0 || dash === area.length - 1) return { kind: 'other', reason: 'unrecognised' };
  const a = area.slice(0, dash);
  const b = area.slice(dash + 1);
  const kind = parts.slice(2, -1);
  if (b === 'ALL') {
    if (kind.length === 1 && REGION_TYPES.has(kind[0]!)) {
      return { kind: 'series', dataset: 'region-data', respondent: a, series: kind[0]!, local };
    }
    if (kind.length === 2 && kind[0] === 'NG') {
      return { kind: 'series', dataset: 'fuel-type-data', respondent: a, series: kind[1]!, local };
    }
    return { kind: 'other', reason: 'unrecognised' };
  }
  if (kind.length === 1 && kind[0] === 'ID') return { kind: 'series', dataset: 'interchange-data', respondent: a, series: b, local };
  if (kind.length === 1 && kind[0] === 'D') return { kind: 'series', dataset: 'region-sub-ba-data', respondent: a, series: b, local };
  return { kind: 'other', reason: 'unrecognised' };
}

/**
 * A UTC bulk stamp `YYYYMMDDTHH` (files since 2024) or `YYYYMMDDTHHZ` (older files), hour-ending like the API's
 * `period`, → epoch ms; undefined when malformed or not a calendar hour.
 */
export function parseEbaUtcStamp(s: string): number | undefined {
  const n = s.length;
  if (n !== 11 && !(n === 12 && s[11] === 'Z')) return undefined;
  if (s[8] !== 'T') return undefined;
  const y = num(s, 0, 4), mo = num(s, 4, 2), d = num(s, 6, 2), h = num(s, 9, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23) return undefined;
  // A line's points run hour by hour, so 24 in a row share their day: the Date work is done once per day.
  const key = (y * 100 + mo) * 100 + d;
  if (key !== lastDay.key) {
    const dayMs = Date.UTC(y, mo - 1, d);
    lastDay.key = key;
    lastDay.ms = new Date(dayMs).getUTCDate() === d ? dayMs : undefined;
  }
  return lastDay.ms === undefined ? undefined : lastDay.ms + h * 3_600_000;
}

/**
 * A local bulk stamp `YYYYMMDDTHH±HH` (the `HL` twins: the BA's clock, with the hour's UTC offset in whole hours,
 * which changes at DST) → the same hour-ending UTC instant as the `H` twin's stamp; undefined when malformed.
 */
export function parseEbaLocalStamp(s: string): number | undefined {
  if (s.length !== 14 || (s[11] !== '+' && s[11] !== '-')) return undefined;
  const off = num(s, 12, 2);
  if (off < 0 || off > 14) return undefined;
  const local = parseEbaUtcStamp(s.slice(0, 11));
  return local === undefined ? undefined : local - (s[11] === '-' ? -off : off) * 3_600_000;
}

/** The stamp parser of a line's clock. */
export function ebaStampParser(local: boolean): (s: string) => number | undefined {
  return local ? parseEbaLocalStamp : parseEbaUtcStamp;
}

/** The last day `parseEbaUtcStamp` read (its start, or undefined for a day that is not in the calendar). */
const lastDay: { key: number; ms: number | undefined } = { key: -1, ms: undefined };

function num(s: string, at: number, len: number): number {
  let v = 0;
  for (let i = at; i < at + len; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * A bulk value → MWh: numbers pass, numeric strings (`"-147"`, `"94038.00000000000000"`) are read, `null` and `""`
 * are missing (null). Anything else is undefined (not a number: the caller quarantines the point).
 */
export function parseEbaValue(v: unknown): number | null | undefined {
  if (v === null || v === '') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const x = Number(v);
  return Number.isFinite(x) && /^\s*-?\d/.test(v) ? x : undefined;
}
