/**
 * Rows of a six-month Grid Monitor CSV → observations keyed like the API's records. The reported value is the
 * record's `value`; EIA's adjusted and imputed figures ride beside it and never replace it (docs/eia-bulk.md §2.5).
 */
import type { Dataset } from '../../core/catalog.js';
import type { HeaderPlan } from './grid-monitor-columns.js';

export interface GridMonitorObservation {
  readonly dataset: Dataset;
  readonly respondent: string;
  readonly series: string;
  /** UTC end of the hour, epoch ms (the API's `period`). */
  readonly period: number;
  readonly value: number | null;
  readonly adjusted: number | null;
  readonly imputed: number | null;
}

/** A cell the parser could not read, for quarantine. */
export interface GridMonitorBadCell {
  readonly reason: 'BAD_PERIOD' | 'BAD_VALUE' | 'MISSING_KEY';
  readonly column: number;
  readonly raw: string;
}

/**
 * `MM/DD/YYYY h:mm:ss AM|PM` (the files' "UTC Time at End of Hour") → epoch ms; undefined when malformed or not a
 * whole calendar hour.
 */
export function parseGridMonitorTime(s: string): number | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ([AP])M$/.exec(s.trim());
  if (!m) return undefined;
  const [mo, d, y, h12, mi, se] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as number[];
  if (mi !== 0 || se !== 0 || h12! < 1 || h12! > 12 || mo! < 1 || mo! > 12) return undefined;
  const h = (h12! % 12) + (m[7] === 'P' ? 12 : 0);
  const ms = Date.UTC(y!, mo! - 1, d!, h);
  return new Date(ms).getUTCDate() === d ? ms : undefined;
}

/** A CSV number: thousands separators dropped, blank → null, anything else non-numeric → undefined. */
export function parseGridMonitorNumber(s: string | undefined): number | null | undefined {
  if (s === undefined) return null;
  const t = s.trim();
  if (t === '') return null;
  const x = Number(t.includes(',') ? t.replaceAll(',', '') : t);
  return Number.isFinite(x) ? x : undefined;
}

/**
 * One CSV row → its observations. A (dataset, series) whose reported, adjusted and imputed cells are all blank is
 * not emitted: a BALANCE row has a column for every fuel, and a blank one means the BA does not report that fuel,
 * as the API (which has no row for it) says.
 */
export function rowObservations(
  plan: HeaderPlan,
  row: readonly string[],
  out: GridMonitorObservation[],
  bad: GridMonitorBadCell[],
): void {
  const respondent = row[plan.respondent]?.trim() ?? '';
  if (respondent === '') return void bad.push({ reason: 'MISSING_KEY', column: plan.respondent, raw: '' });
  const rawPeriod = row[plan.period] ?? '';
  const period = parseGridMonitorTime(rawPeriod);
  if (period === undefined) return void bad.push({ reason: 'BAD_PERIOD', column: plan.period, raw: rawPeriod });
  const counterpart = plan.counterpart === undefined ? undefined : row[plan.counterpart]?.trim();
  for (const v of plan.values) {
    const series = v.series ?? counterpart;
    if (!series) {
      bad.push({ reason: 'MISSING_KEY', column: plan.counterpart ?? -1, raw: '' });
      continue;
    }
    const cells = [v.reported, v.adjusted, v.imputed].map((i) => (i === undefined ? undefined : row[i]));
    const [value, adjusted, imputed] = cells.map(parseGridMonitorNumber);
    const badAt = [value, adjusted, imputed].findIndex((x) => x === undefined);
    if (badAt >= 0) {
      const column = [v.reported, v.adjusted, v.imputed][badAt]!;
      bad.push({ reason: 'BAD_VALUE', column, raw: row[column] ?? '' });
      continue;
    }
    if (value === null && adjusted === null && imputed === null) continue;
    out.push({ dataset: v.dataset, respondent, series, period, value: value!, adjusted: adjusted!, imputed: imputed! });
  }
}
