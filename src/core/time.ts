/**
 * Hour arithmetic on EIA period stamps, and the UTC dates and ranges users type and read. All instants are epoch
 * milliseconds, UTC, whole hours.
 */
import { configError } from './errors.js';

export const HOUR_MS = 3_600_000;

/** `YYYY-MM-DDTHH` (UTC) → epoch ms, or `undefined` when malformed or not a real calendar hour. */
export function parseHourStamp(s: string): number | undefined {
  if (s.length !== 13 || s.charCodeAt(10) !== 84 /* T */ || s[4] !== '-' || s[7] !== '-') return undefined;
  const y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2), h = digits(s, 11, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h);
  // Reject 2019-02-30 style dates that Date.UTC would roll over.
  if (new Date(ms).getUTCDate() !== d) return undefined;
  return ms;
}

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** epoch ms → `YYYY-MM-DDTHH` (UTC). */
export function formatHourStamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13);
}

/** True when `ms` is a whole UTC hour. */
export function isWholeHour(ms: number): boolean {
  return Number.isInteger(ms) && ms % HOUR_MS === 0;
}

/** UTC year of an instant. */
export function utcYear(ms: number): number {
  return new Date(ms).getUTCFullYear();
}

/** First instant of a UTC year. */
export function yearStart(year: number): number {
  return Date.UTC(year, 0, 1);
}

/** Floor an instant to its UTC hour. */
export function floorHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** Period formats of the hourly routes (`response.frequency`). */
export type HourlyFrequency = 'hourly' | 'local-hourly';

/**
 * Parses `period` stamps to UTC epoch ms, remembering the last stamp (rows come sorted by period, so consecutive
 * rows usually share it; this avoids `Date` work per row).
 * - `hourly`: `YYYY-MM-DDTHH` (UTC, hour-ending).
 * - `local-hourly`: `YYYY-MM-DDTHH±HH`, the local hour-ending stamp and its UTC offset, converted to UTC
 *   (`2023-03-20T00-07` → `2023-03-20T07` UTC). Offsets beyond ±14 h are rejected.
 * `parse` returns `undefined` for anything else (wrong form, not a real calendar hour, hour 24, not a string).
 */
export class PeriodParser {
  private lastStamp = '';
  private lastMs: number | undefined = undefined;

  constructor(readonly frequency: HourlyFrequency) {}

  /** UTC epoch ms of the stamp, or `undefined` when it is not a valid stamp of this frequency. */
  parse(stamp: unknown): number | undefined {
    if (typeof stamp !== 'string') return undefined;
    if (stamp === this.lastStamp) return this.lastMs;
    const ms = this.frequency === 'hourly' ? parseHourStamp(stamp) : parseLocalHourStamp(stamp);
    this.lastStamp = stamp;
    this.lastMs = ms;
    return ms;
  }

  /** The expected form, for quarantine details. */
  get expected(): string {
    return this.frequency === 'hourly' ? 'YYYY-MM-DDTHH (UTC)' : 'YYYY-MM-DDTHH±HH (local-hourly)';
  }
}

/** `YYYY-MM-DDTHH±HH` → UTC epoch ms, or `undefined`. */
export function parseLocalHourStamp(s: string): number | undefined {
  if (s.length !== 16) return undefined;
  const local = parseHourStamp(s.slice(0, 13));
  const sign = s[13];
  const h1 = s.charCodeAt(14) - 48;
  const h2 = s.charCodeAt(15) - 48;
  if (local === undefined || (sign !== '+' && sign !== '-') || h1 < 0 || h1 > 9 || h2 < 0 || h2 > 9) return undefined;
  const offsetH = h1 * 10 + h2;
  if (offsetH > 14) return undefined;
  // local = UTC + offset, so UTC = local − offset.
  return sign === '+' ? local - offsetH * HOUR_MS : local + offsetH * HOUR_MS;
}

/**
 * A user's bound: `YYYY-MM-DD` (= T00) or `YYYY-MM-DDTHH` (UTC) → epoch ms.
 * @throws EtlError ETL_CONFIG_INVALID naming `flag` and the accepted forms.
 */
export function parseInstant(flag: string, text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}))?$/.exec(text.trim());
  const bad = () => configError(`${flag} must be a UTC date YYYY-MM-DD or hour YYYY-MM-DDTHH (got '${text}')`);
  if (!m) throw bad();
  const [y, mo, d, h] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 0 : Number(m[4])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23) throw bad();
  const ms = Date.UTC(y, mo - 1, d, h);
  if (new Date(ms).getUTCDate() !== d) throw bad();
  return ms;
}

/** A UTC range for messages: `[2019-01-01T00, 2026-01-01T00)`. */
export function formatRange(startMs: number, endMs: number): string {
  return `[${formatHourStamp(startMs)}, ${formatHourStamp(endMs)})`;
}

/** The current hour's end (exclusive bound that includes the latest complete hour stamp). */
export function nowRangeEnd(nowMs: number): number {
  return floorHour(nowMs) + HOUR_MS;
}
