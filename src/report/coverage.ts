/**
 * Coverage cells: the share of expected hours present per respondent and month of a dataset. Pure.
 *
 * A series is expected to have every hour from its first to its last stored hour (the `coverage` view's
 * definition); a respondent's expected series-hours in a month are the sum over its series of the hours of that
 * month (by the hour's start, UTC) inside each series' span. So a fuel that a BA starts reporting in 2024 does not
 * count as missing before, and a month outside every span of a respondent has no cell (drawn empty).
 */
import { HOUR_MS } from '../core/time.js';
import type { CoverageCount, DatasetExtent, SeriesSpan } from './model.js';
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

/** The cells of one dataset, respondents sorted, months of the dataset's whole extent. */
export function coverageCells(
  extent: DatasetExtent,
  counts: readonly CoverageCount[],
  spans: readonly SeriesSpan[],
): { cells: CoverageCell[]; respondents: string[]; months: string[] } {
  const months = monthsOf(extent.firstMs, extent.lastMs);
  const present = new Map<string, number>();
  for (const c of counts) if (c.dataset === extent.dataset) present.set(`${c.respondent}|${c.month}`, c.present);
  const byRespondent = new Map<string, SeriesSpan[]>();
  for (const s of spans) {
    if (s.dataset !== extent.dataset) continue;
    (byRespondent.get(s.respondent) ?? byRespondent.set(s.respondent, []).get(s.respondent)!).push(s);
  }
  const respondents = [...byRespondent.keys()].sort();
  const cells: CoverageCell[] = [];
  for (const respondent of respondents) {
    for (const month of months) {
      const expected = byRespondent.get(respondent)!.reduce((a, s) => a + expectedHours(month, s.firstMs, s.lastMs), 0);
      if (expected === 0) continue;
      const got = present.get(`${respondent}|${month}`) ?? 0;
      cells.push({ respondent, month, present: got, expected, share: Math.min(1, got / expected) });
    }
  }
  return { cells, respondents, months };
}
