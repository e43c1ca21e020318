/**
 * Coverage cells: the share of expected hours present per respondent and month of a dataset. Pure.
 *
 * Expected series-hours of a month = the hour stamps of that month (by the hour's start, UTC) that fall inside the
 * dataset's stored range [first, last period] × the number of series the respondent has in the dataset. So the
 * first and last months count only the hours the range covers, a respondent whose rows start later shows its
 * early months as 0%, and a series that stops shows as missing hours. Every (respondent, month) of the range gets
 * a cell, with or without rows.
 */
import { HOUR_MS } from '../core/time.js';
import type { CoverageCount, DatasetExtent, SeriesCount } from './model.js';
import type { CoverageCell } from './specs.js';

const monthKey = (ms: number) => new Date(ms).toISOString().slice(0, 7);

/** Months (`YYYY-MM`) of the hours whose stamps lie in [firstMs, lastMs], in order. */
export function monthsOf(firstMs: number, lastMs: number): string[] {
  const out: string[] = [];
  const start = new Date(firstMs - HOUR_MS);
  let y = start.getUTCFullYear();
  let m = start.getUTCMonth();
  const last = monthKey(lastMs - HOUR_MS);
  for (;;) {
    const key = `${y}-${String(m + 1).padStart(2, '0')}`;
    out.push(key);
    if (key >= last) return out;
    m++;
    if (m === 12) [y, m] = [y + 1, 0];
  }
}

/** Hour stamps of `month` (hours starting in it) inside [firstMs, lastMs]. */
export function expectedHours(month: string, firstMs: number, lastMs: number): number {
  const [y, m] = month.split('-').map(Number);
  const lo = Math.max(firstMs, Date.UTC(y, m - 1, 1) + HOUR_MS);
  const hi = Math.min(lastMs, Date.UTC(y, m, 1));
  return hi < lo ? 0 : Math.floor((hi - lo) / HOUR_MS) + 1;
}

/** The full grid of cells of one dataset, respondents in the given order. */
export function coverageCells(
  extent: DatasetExtent,
  counts: readonly CoverageCount[],
  seriesCounts: readonly SeriesCount[],
): { cells: CoverageCell[]; respondents: string[]; months: string[] } {
  const months = monthsOf(extent.firstMs, extent.lastMs);
  const present = new Map<string, number>();
  for (const c of counts) if (c.dataset === extent.dataset) present.set(`${c.respondent}|${c.month}`, c.present);
  const series = seriesCounts.filter((s) => s.dataset === extent.dataset);
  const respondents = series.map((s) => s.respondent).sort();
  const cells: CoverageCell[] = [];
  for (const s of series) {
    for (const month of months) {
      const expected = expectedHours(month, extent.firstMs, extent.lastMs) * s.series;
      const got = present.get(`${s.respondent}|${month}`) ?? 0;
      cells.push({ respondent: s.respondent, month, present: got, expected, share: expected > 0 ? Math.min(1, got / expected) : 0 });
    }
  }
  return { cells, respondents, months };
}
