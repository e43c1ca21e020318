/**
 * One ledger over the API and EIA's bulk file: which hours a bulk back-fill already stored, so an API `historical`
 * (and `plan`) fetches only what the file lacked — hours after its build, and series or respondents it does not
 * carry. Pure: ledger units in, API jobs out.
 *
 * A bulk unit (id `bulk-…`, one route × respondent × UTC year, facets naming the series it held) covers its window
 * for the respondent and every series it names; an open one (it reaches into the revision horizon behind the
 * file's build) covers only up to the horizon, so the API fetches the hours that may still change. A selection
 * that names its series (region-data types, interchange pairs…) is covered for a respondent only where every
 * named series is; a selection without a series filter (fuel-type-data: every fuel) is covered where the file
 * held any series of the respondent — the file carries all of a respondent's series for the hours it holds.
 */
import { DATASET_INFO, isApiDataset, type Dataset, type Selection } from '../core/catalog.js';
import type { ApiWorkUnit } from '../core/contracts.js';
import { copySourceOf } from '../core/provenance.js';
import { HOUR_MS } from '../core/time.js';
import { expectedRequests, planUnits } from '../sources/eia/planner.js';

/** What coverage needs of a ledger unit. */
export interface CoveredUnit {
  readonly id: string;
  readonly dataset: string;
  readonly facets: Readonly<Record<string, readonly string[]>>;
  readonly startMs: number;
  readonly endMs: number;
  readonly open: boolean;
  readonly frontierMs: number | null;
}

/** Half-open hour interval `[startMs, endMs)`, epoch ms. */
export type Interval = readonly [number, number];

/** dataset → respondent → series → sorted, disjoint intervals the bulk file stored. */
export type Coverage = ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, readonly Interval[]>>>;

/** One API job: a selection over its own range. */
export interface Job {
  readonly selection: Selection;
  readonly startMs: number;
  readonly endMs: number;
}

/** The API units of `historical` over `[startMs, endMs)`, and what the bulk file's coverage saved. */
export interface HistoricalPlan {
  readonly units: ApiWorkUnit[];
  /** Requests the plan would send without the bulk file's coverage; null when the ledger holds no bulk hour in range. */
  readonly requestsWithoutBulk: number | null;
}

/**
 * Plan `historical` around what the bulk file stored. With no bulk coverage in range, exactly
 * `planUnits(selections, startMs, endMs)` (unit ids stay stable across runs).
 */
export function planHistorical(
  selections: readonly Selection[],
  startMs: number,
  endMs: number,
  ledger: Iterable<CoveredUnit>,
  horizonHours: number,
): HistoricalPlan {
  const jobs = uncoveredJobs(selections, startMs, endMs, bulkCoverage(ledger, horizonHours));
  if (!jobs) return { units: planUnits(selections, startMs, endMs), requestsWithoutBulk: null };
  return {
    units: jobs.flatMap((j) => planUnits([j.selection], j.startMs, j.endMs)),
    requestsWithoutBulk: expectedRequests(planUnits(selections, startMs, endMs)),
  };
}

/** True for units written from EIA's bulk file. */
export const isBulkUnit = (id: string): boolean => copySourceOf(id) === 'bulk';

/** The bulk file's coverage in the ledger (empty when no bulk back-fill ran). */
export function bulkCoverage(units: Iterable<CoveredUnit>, horizonHours: number): Coverage {
  const raw = new Map<string, Map<string, Map<string, Interval[]>>>();
  for (const u of units) {
    // Only what an API run could fetch: a bulk-only dataset (the CO2 series) has no API selection to trim.
    if (!isBulkUnit(u.id) || !isApiDataset(u.dataset)) continue;
    const info = DATASET_INFO[u.dataset];
    const end = u.open ? (u.frontierMs === null ? u.startMs : Math.min(u.endMs, u.frontierMs + HOUR_MS - horizonHours * HOUR_MS)) : u.endMs;
    if (end <= u.startMs) continue;
    const byResp = raw.get(u.dataset) ?? new Map<string, Map<string, Interval[]>>();
    raw.set(u.dataset, byResp);
    for (const r of u.facets[info.respondentFacet] ?? []) {
      const bySeries = byResp.get(r) ?? new Map<string, Interval[]>();
      byResp.set(r, bySeries);
      for (const s of u.facets[info.seriesFacet] ?? []) {
        const list = bySeries.get(s) ?? [];
        bySeries.set(s, list);
        list.push([u.startMs, end]);
      }
    }
  }
  for (const byResp of raw.values()) for (const bySeries of byResp.values()) for (const [s, list] of bySeries) bySeries.set(s, union(list));
  return raw;
}

/**
 * The API jobs that fetch `[startMs, endMs)` of `selections` minus `coverage`; `null` when coverage removes
 * nothing (the caller then plans the selections as before, so unit ids do not change).
 */
export function uncoveredJobs(selections: readonly Selection[], startMs: number, endMs: number, coverage: Coverage): Job[] | null {
  const jobs: Job[] = [];
  let trimmed = false;
  for (const sel of selections) {
    const info = DATASET_INFO[sel.dataset];
    const respondents = sel.facets[info.respondentFacet] ?? [];
    const named = sel.facets[info.seriesFacet];
    const byResp = coverage.get(sel.dataset);
    const pieces: { r: string; gap: Interval; series: readonly string[] | undefined }[] = [];
    for (const r of respondents) {
      const bySeries = byResp?.get(r);
      if (!bySeries || bySeries.size === 0) {
        pieces.push({ r, gap: [startMs, endMs], series: named });
        continue;
      }
      const whole = (g: readonly Interval[]) => g.length === 1 && g[0]![0] === startMs && g[0]![1] === endMs;
      if (named) {
        for (const s of named) {
          const g = gaps(startMs, endMs, bySeries.get(s) ?? []);
          if (!whole(g)) trimmed = true;
          for (const gap of g) pieces.push({ r, gap, series: [s] });
        }
      } else {
        const g = gaps(startMs, endMs, union([...bySeries.values()].flat()));
        if (!whole(g)) trimmed = true;
        for (const gap of g) pieces.push({ r, gap, series: undefined });
      }
    }
    snapTails(pieces, endMs);
    // Pieces with the same gap and series list travel together: one query for all their respondents.
    const groups = new Map<string, { gap: Interval; series: readonly string[] | undefined; respondents: string[] }>();
    for (const p of pieces) {
      const k = `${p.gap[0]}|${p.gap[1]}|${p.series?.join(',') ?? '*'}`;
      const g = groups.get(k) ?? { gap: p.gap, series: p.series, respondents: [] };
      groups.set(k, g);
      if (!g.respondents.includes(p.r)) g.respondents.push(p.r);
    }
    for (const g of mergeSeries([...groups.values()])) {
      const facets: Record<string, readonly string[]> = { [info.respondentFacet]: [...g.respondents].sort() };
      for (const [id, codes] of Object.entries(sel.facets)) if (id !== info.respondentFacet && id !== info.seriesFacet) facets[id] = codes;
      if (g.series) facets[info.seriesFacet] = [...g.series].sort();
      jobs.push({ selection: { dataset: sel.dataset, facets }, startMs: g.gap[0], endMs: g.gap[1] });
    }
  }
  return trimmed ? jobs : null;
}

/**
 * The file's respondents end at different hours (each BA publishes with its own lag), so the hours after the
 * build would cost one small query per respondent. Gaps that run to the end of the range and start within
 * `TAIL_SNAP_MS` of each other start together at the earliest: a few hours are fetched again (and stored unchanged)
 * to send one query instead of dozens.
 */
function snapTails(pieces: { gap: Interval }[], endMs: number): void {
  const tails = pieces.filter((p) => p.gap[1] === endMs).sort((a, b) => a.gap[0] - b.gap[0]);
  let clusterStart = -Infinity;
  for (const p of tails) {
    if (p.gap[0] - clusterStart > TAIL_SNAP_MS) clusterStart = p.gap[0];
    p.gap = [clusterStart, endMs];
  }
}

/** How far apart the starts of end-of-range gaps may be and still share one query. */
export const TAIL_SNAP_MS = 7 * 24 * HOUR_MS;

/** Groups of one gap and one respondent set whose series differ merge into one query (union of the series). */
function mergeSeries(
  groups: readonly { gap: Interval; series: readonly string[] | undefined; respondents: string[] }[],
): { gap: Interval; series: readonly string[] | undefined; respondents: string[] }[] {
  const out = new Map<string, { gap: Interval; series: readonly string[] | undefined; respondents: string[] }>();
  for (const g of groups) {
    const k = `${g.gap[0]}|${g.gap[1]}|${[...g.respondents].sort().join(',')}|${g.series === undefined ? '*' : ''}`;
    const prev = out.get(k);
    if (!prev) out.set(k, { ...g, respondents: [...g.respondents] });
    else if (prev.series && g.series) prev.series = [...new Set([...prev.series, ...g.series])].sort();
  }
  return [...out.values()];
}

/** Sorted disjoint union of intervals (adjacent ones joined). */
export function union(list: readonly Interval[]): Interval[] {
  const sorted = [...list].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** `[startMs, endMs)` minus a sorted disjoint `covered` list. */
export function gaps(startMs: number, endMs: number, covered: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let at = startMs;
  for (const [a, b] of covered) {
    if (b <= at) continue;
    if (a >= endMs) break;
    if (a > at) out.push([at, a]);
    at = Math.max(at, b);
  }
  if (at < endMs) out.push([at, endMs]);
  return out;
}
