/**
 * A query plan: the selected series, the clipped hour range and the cumulative row count per hour, so `total` and
 * the hour holding any row offset are known without generating a row. Plans are cached in a small LRU keyed by
 * everything except offset/length, so paging through a query builds its plan once. Memory is O(hours + gaps),
 * never O(rows).
 */
import type { Dataset } from '../core/catalog.js';
import { contains, missingHours, seriesEnd, type PresenceContext } from './presence.js';
import { selectSeries, type Series } from './series.js';

/** Everything needed to count and enumerate a query's rows. Immutable once built. */
export interface QueryPlan {
  readonly dataset: Dataset;
  /** Selected series, canonical order. */
  readonly series: readonly Series[];
  /** Clipped hour range [h0, h1). */
  readonly h0: number;
  readonly h1: number;
  /** Per selected series: available hours [starts[i], ends[i]) and its missing hours (sorted). */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly missing: readonly Int32Array[];
  /** cum[j] = rows in hours [h0, h0 + j); length h1 − h0 + 1. */
  readonly cum: Int32Array;
  readonly total: number;
}

const CACHE_SIZE = 48;
const cache = new Map<string, QueryPlan>();

/**
 * Plan of the rows of `dataset` matching `facets` with period hour index in [hStart, hEnd) (hEnd exclusive;
 * ±Infinity allowed), under presence context `ctx`.
 */
export function getPlan(
  dataset: Dataset,
  facets: Readonly<Record<string, readonly string[]>>,
  hStart: number,
  hEnd: number,
  ctx: PresenceContext,
): QueryPlan {
  const key = `${dataset}|${facetKey(facets)}|${hStart}|${hEnd}|${ctx.key}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const plan = buildPlan(dataset, facets, hStart, hEnd, ctx);
  cache.set(key, plan);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return plan;
}

function facetKey(facets: Readonly<Record<string, readonly string[]>>): string {
  return Object.keys(facets)
    .sort()
    .map((k) => `${k}=${[...facets[k]].sort().join(',')}`)
    .join('&');
}

function buildPlan(
  dataset: Dataset,
  facets: Readonly<Record<string, readonly string[]>>,
  hStart: number,
  hEnd: number,
  ctx: PresenceContext,
): QueryPlan {
  const series = selectSeries(dataset, facets, ctx.quirks.taxonomyChange, ctx.perturb);
  const n = series.length;
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  let lo = Math.max(0, hStart);
  let hi = lo;
  for (let i = 0; i < n; i++) {
    const s = series[i];
    starts[i] = Math.max(s.startHour, lo);
    const e = Math.min(seriesEnd(s, ctx), hEnd);
    ends[i] = Math.max(starts[i], e);
    if (ends[i] > hi) hi = ends[i];
  }
  if (!Number.isFinite(lo)) lo = hi = 0;
  const span = hi - lo;
  const diff = new Int32Array(span + 1);
  const missing: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const a = starts[i], b = ends[i];
    const m = a < b ? missingHours(series[i], a, b, ctx) : new Int32Array(0);
    missing.push(m);
    if (a >= b) continue;
    diff[a - lo]++;
    diff[b - lo]--;
    for (let j = 0; j < m.length; j++) {
      diff[m[j] - lo]--;
      diff[m[j] - lo + 1]++;
    }
  }
  const cum = new Int32Array(span + 1);
  let run = 0;
  for (let j = 0; j < span; j++) {
    run += diff[j];
    cum[j + 1] = cum[j] + run;
  }
  return { dataset, series, h0: lo, h1: hi, starts, ends, missing, cum, total: cum[span] };
}

/** True when selected series `i` of `plan` has a row at hour `h`. */
export function present(plan: QueryPlan, i: number, h: number): boolean {
  return h >= plan.starts[i] && h < plan.ends[i] && (plan.missing[i].length === 0 || !contains(plan.missing[i], h));
}

/**
 * Collect the selected-series positions with a row at hour `h` into `out` (canonical order); returns the count.
 * `out` must hold at least `plan.series.length` entries.
 */
export function rowsAtHour(plan: QueryPlan, h: number, out: Int32Array): number {
  let n = 0;
  const len = plan.series.length;
  for (let i = 0; i < len; i++) if (present(plan, i, h)) out[n++] = i;
  return n;
}

/** Largest j in [0, span) with cum[j] ≤ target (the hour slot holding canonical row `target`). */
export function hourSlotOf(cum: Int32Array, target: number): number {
  let lo = 0, hi = cum.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cum[mid] <= target) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
