/**
 * The planner: selections × a half-open UTC range → deterministic work units. Pure.
 *
 * Sizing rule: every requested respondent and series of a route goes into ONE query; the range is cut at UTC
 * year boundaries; each year segment is split into the fewest equal windows (whole hours, lengths differing by at
 * most one hour) whose estimated rows stay ≤ `maxUnitRows`. A unit then costs ⌈rows / 5000⌉ requests: every page
 * is full except the unit's last, so the waste is < 1 page per unit.
 */
import { createHash } from 'node:crypto';
import { DATASET_INFO, type Dataset, type Selection } from '../../core/catalog.js';
import type { ApiWorkUnit, WorkUnit } from '../../core/contracts.js';
import { configError } from '../../core/errors.js';
import { HOUR_MS, isWholeHour, utcYear, yearStart } from '../../core/time.js';
import { builtinSeriesEstimate, type Facets, type SeriesEstimator } from './known-series.js';
import { EIA_MAX_PAGE_SIZE } from './config.js';

/** What the lead asks for (declared in core/catalog.ts; exported here for the source's callers). */
export type { Selection };

/** Half-open range of period stamps `[startMs, endMs)`, whole UTC hours, epoch ms. */
export interface HourRange {
  readonly startMs: number;
  readonly endMs: number;
}

/** Planner options. */
export interface PlanOptions {
  /** Most estimated rows per unit (default 150,000 = 30 full pages). */
  readonly maxUnitRows?: number;
  /** Rows per hour of a query in a year (default: the built-in table). */
  readonly estimateSeries?: SeriesEstimator;
}

/** Facets with ids in route order, codes deduplicated and sorted, empty filters dropped. */
export function normalizeFacets(dataset: Dataset, facets: Facets): Facets {
  const order = DATASET_INFO[dataset].facets as readonly string[];
  const ids = Object.keys(facets).sort((a, b) => rank(order, a) - rank(order, b) || a.localeCompare(b));
  const out: Record<string, readonly string[]> = {};
  for (const id of ids) {
    const codes = [...new Set(facets[id])].sort();
    if (codes.length) out[id] = codes;
  }
  return out;
}
const rank = (order: readonly string[], id: string) => (order.includes(id) ? order.indexOf(id) : order.length);

/**
 * Merge selections of the same route into as few queries as possible without fetching anything unrequested:
 * two selections merge when they filter the same facet ids and differ in at most one facet (union of that
 * facet's codes). E.g. region-data type=[D] and type=[DF] for the same respondents → one query type=[D,DF].
 */
export function mergeSelections(selections: readonly Selection[]): Selection[] {
  let out = selections.map((s) => ({ dataset: s.dataset, facets: normalizeFacets(s.dataset, s.facets) }));
  for (let merged = true; merged; ) {
    merged = false;
    outer: for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const m = tryMerge(out[i], out[j]);
        if (m) {
          out = [...out.slice(0, i), m, ...out.slice(i + 1, j), ...out.slice(j + 1)];
          merged = true;
          break outer;
        }
      }
    }
  }
  return out;
}

function tryMerge(a: Selection, b: Selection): Selection | undefined {
  if (a.dataset !== b.dataset) return undefined;
  const ids = Object.keys(a.facets);
  if (ids.join() !== Object.keys(b.facets).join()) return undefined;
  const differing = ids.filter((id) => a.facets[id].join() !== b.facets[id].join());
  if (differing.length > 1) return undefined;
  const facets = { ...a.facets };
  for (const id of differing) facets[id] = [...new Set([...a.facets[id], ...b.facets[id]])].sort();
  return { dataset: a.dataset, facets };
}

/** Stable unit id `<dataset>-<YYYY>-<12 hex of sha256(dataset, sorted facets, start, end)>`. */
export function unitId(dataset: Dataset, facets: Facets, startMs: number, endMs: number): string {
  const norm = normalizeFacets(dataset, facets);
  const text = [dataset, ...Object.entries(norm).map(([k, v]) => `${k}=${v.join(',')}`), startMs, endMs].join('|');
  return `${dataset}-${utcYear(startMs)}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
}

/** Cut `[startMs, endMs)` at UTC year boundaries (by period stamp). */
export function yearSegments(range: HourRange): Array<HourRange & { year: number }> {
  const out: Array<HourRange & { year: number }> = [];
  for (let s = range.startMs; s < range.endMs; ) {
    const year = utcYear(s);
    const e = Math.min(range.endMs, yearStart(year + 1));
    out.push({ year, startMs: s, endMs: e });
    s = e;
  }
  return out;
}

/** Split `[startMs, endMs)` into `n` windows of whole hours whose lengths differ by at most one hour. */
export function splitWindow(range: HourRange, n: number): HourRange[] {
  const hours = (range.endMs - range.startMs) / HOUR_MS;
  const parts = Math.max(1, Math.min(n, hours));
  const out: HourRange[] = [];
  let s = range.startMs;
  for (let i = 0; i < parts; i++) {
    const len = Math.floor(hours / parts) + (i < hours % parts ? 1 : 0);
    out.push({ startMs: s, endMs: s + len * HOUR_MS });
    s += len * HOUR_MS;
  }
  return out;
}

/** @throws EtlError `ETL_CONFIG_INVALID` unless `[startMs, endMs)` is a non-empty range of whole UTC hours. */
export function assertHourRange(range: HourRange): void {
  if (!isWholeHour(range.startMs) || !isWholeHour(range.endMs) || range.endMs <= range.startMs) {
    throw configError(`range must be whole UTC hours with start < end; got [${range.startMs}, ${range.endMs})`);
  }
}

/**
 * Plan work units. Deterministic: the same selections, range and options always give the same units, in the order
 * selection (after merging) → time.
 * @throws EtlError `ETL_CONFIG_INVALID` for a bad range or `maxUnitRows` below one page.
 */
export function planUnits(selections: readonly Selection[], startMs: number, endMs: number, opts: PlanOptions = {}): ApiWorkUnit[] {
  const range = { startMs, endMs };
  assertHourRange(range);
  const maxUnitRows = opts.maxUnitRows ?? 150_000;
  if (!(maxUnitRows >= EIA_MAX_PAGE_SIZE)) throw configError(`maxUnitRows must be ≥ ${EIA_MAX_PAGE_SIZE}; got ${maxUnitRows}`);
  const estimate = opts.estimateSeries ?? builtinSeriesEstimate;
  const units: ApiWorkUnit[] = [];
  for (const sel of mergeSelections(selections)) {
    for (const seg of yearSegments(range)) {
      const perHour = Math.max(0, estimate(sel.dataset, sel.facets, seg.year));
      const segRows = (perHour * (seg.endMs - seg.startMs)) / HOUR_MS;
      for (const w of splitWindow(seg, Math.ceil(segRows / maxUnitRows))) {
        units.push({
          id: unitId(sel.dataset, sel.facets, w.startMs, w.endMs),
          dataset: sel.dataset,
          facets: sel.facets,
          startMs: w.startMs,
          endMs: w.endMs,
          year: seg.year,
          expectedRows: Math.round((perHour * (w.endMs - w.startMs)) / HOUR_MS),
        });
      }
    }
  }
  return units;
}

/** Requests a unit is expected to cost (no retries): max(1, ⌈expectedRows / pageSize⌉). */
export function pagesFor(unit: WorkUnit, pageSize = EIA_MAX_PAGE_SIZE): number {
  return Math.max(1, Math.ceil(unit.expectedRows / pageSize));
}

/** Requests a plan is expected to cost (no retries): Σ `pagesFor`. */
export function expectedRequests(units: readonly WorkUnit[], pageSize = EIA_MAX_PAGE_SIZE): number {
  return units.reduce((n, u) => n + pagesFor(u, pageSize), 0);
}

