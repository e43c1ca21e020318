/**
 * Row order (docs/eia-api.md §15.5): enumerate the rows at sorted positions [offset, offset + count) of a plan.
 *
 * - `sort[0]` is `period` (or no sort → `period desc`): hour-major. Seek with the plan's cumulative counts, then
 *   order each hour's rows by the remaining keys and a tie-break: dimension codes ascending (canonical, no sorting
 *   needed), or with `unstable` a per-request hash. This is the fast path; memory O(series).
 * - Another first key (`respondent`, `value`, …): the bounded query is materialized as (series, hour) pairs and
 *   sorted; remaining ties break by dimension codes ascending, then period ascending.
 * - `shuffleAll` (legacyUnsortedDefault without sort): a seeded Feistel permutation of canonical positions.
 */
import { SALT, hash2, hash3 } from './hash.js';
import { hourSlotOf, present, rowsAtHour, type QueryPlan } from './plan.js';
import { seriesValue, type ValueContext } from './values.js';

/** One validated sort key. `column` is `period`, `value` or a facet id of the route. */
export interface SortKey {
  readonly column: string;
  readonly direction: 'asc' | 'desc';
}

/** How to order a response. */
export interface OrderSpec {
  readonly keys: readonly SortKey[];
  /** Break ties by a per-request hash instead of codes. */
  readonly unstable: boolean;
  /** Shuffle everything (only used when `keys` is empty). */
  readonly shuffleAll: boolean;
  /** Per-request seed (ties, shuffle). */
  readonly requestSeed: number;
}

/** Receives one row: selected-series position `i` in the plan and hour index `h`. */
export type RowSink = (i: number, h: number) => void;

/** Call `sink` for the rows at sorted positions [offset, offset + count) (clipped to the total). */
export function forEachRow(
  plan: QueryPlan, spec: OrderSpec, offset: number, count: number, vctx: ValueContext, sink: RowSink,
): void {
  const end = Math.min(plan.total, offset + count);
  if (offset >= end) return;
  if (spec.keys.length === 0 && spec.shuffleAll) return shuffled(plan, spec, offset, end, sink);
  const keys = spec.keys.length === 0 ? [{ column: 'period', direction: 'desc' as const }] : spec.keys;
  if (keys[0].column === 'period') return hourMajor(plan, keys, spec, offset, end, vctx, sink);
  return materialized(plan, keys, spec, offset, end, vctx, sink);
}

function facetIds(plan: QueryPlan): [string, string] {
  return plan.dataset === 'region-data' ? ['respondent', 'type']
    : plan.dataset === 'fuel-type-data' ? ['respondent', 'fueltype']
      : plan.dataset === 'interchange-data' ? ['fromba', 'toba'] : ['subba', 'parent'];
}

/** The keys after `period` that still matter (until both dimensions are fixed), or null if canonical order. */
function withinHourKeys(plan: QueryPlan, keys: readonly SortKey[], unstable: boolean): SortKey[] | null {
  const [f1, f2] = facetIds(plan);
  const rest: SortKey[] = [];
  const seen = new Set<string>(['period']);
  for (const k of keys) {
    if (seen.has(k.column)) continue;
    seen.add(k.column);
    rest.push(k);
    if (seen.has(f1) && seen.has(f2)) break;
  }
  const canonical = rest.every((k, i) => k.direction === 'asc' && k.column === [f1, f2][i]);
  return canonical && !unstable ? null : rest;
}

type Cmp = (a: number, b: number) => number;

function comparator(plan: QueryPlan, keys: readonly SortKey[], spec: OrderSpec, h: number, vctx: ValueContext): Cmp {
  const [f1] = facetIds(plan);
  const s = plan.series;
  const parts: Cmp[] = keys.map((k) => {
    const sign = k.direction === 'asc' ? 1 : -1;
    if (k.column === 'value') {
      const vals = new Map<number, number>();
      const val = (i: number) => {
        let v = vals.get(i);
        if (v === undefined) vals.set(i, (v = seriesValue(s[i], h, vctx) ?? NaN));
        return v;
      };
      return (a, b) => sign * cmpNullsLast(val(a), val(b), sign);
    }
    const dim = k.column === f1 ? 'dim1' : 'dim2';
    return (a, b) => sign * (s[a][dim] < s[b][dim] ? -1 : s[a][dim] > s[b][dim] ? 1 : 0);
  });
  const tie: Cmp = spec.unstable
    ? (a, b) => hash3(spec.requestSeed ^ SALT.TIES, s[a].key, h) - hash3(spec.requestSeed ^ SALT.TIES, s[b].key, h) || a - b
    : (a, b) => a - b;
  return (a, b) => {
    for (const p of parts) {
      const c = p(a, b);
      if (c !== 0) return c;
    }
    return tie(a, b);
  };
}

/** Oracle order: nulls (NaN) last when ascending, first when descending (the caller multiplies by `sign`). */
function cmpNullsLast(x: number, y: number, sign: number): number {
  const nx = Number.isNaN(x), ny = Number.isNaN(y);
  if (nx || ny) return nx && ny ? 0 : (nx ? 1 : -1) * sign;
  return x - y;
}

function hourMajor(
  plan: QueryPlan, keys: readonly SortKey[], spec: OrderSpec, offset: number, end: number, vctx: ValueContext,
  sink: RowSink,
): void {
  const desc = keys[0].direction === 'desc';
  const rest = withinHourKeys(plan, keys.slice(1), spec.unstable);
  const buf = new Int32Array(plan.series.length);
  const { cum, total, h0 } = plan;
  const span = cum.length - 1;
  // Position p in desc order lives in the hour slot whose asc rows end after total − p − 1 … find that slot.
  let j = desc ? hourSlotOf(cum, total - 1 - offset) : hourSlotOf(cum, offset);
  let skip = desc ? offset - (total - cum[j + 1]) : offset - cum[j];
  let pos = offset;
  while (pos < end && j >= 0 && j < span) {
    const h = h0 + j;
    const n = cum[j + 1] - cum[j];
    if (n > 0) {
      if (rest === null && skip === 0 && n === plan.series.length && pos + n <= end) {
        for (let i = 0; i < n; i++) sink(i, h);
        pos += n;
      } else {
        const m = rowsAtHour(plan, h, buf);
        let rows: ArrayLike<number> = buf;
        if (rest !== null) {
          const sub = Array.from(buf.subarray(0, m));
          sub.sort(comparator(plan, rest, spec, h, vctx));
          rows = sub;
        }
        for (let k = skip; k < m && pos < end; k++, pos++) sink(rows[k], h);
      }
    }
    skip = 0;
    j += desc ? -1 : 1;
  }
}

const MAT_CACHE = new Map<string, { si: Int32Array; hh: Int32Array }>();

function materialized(
  plan: QueryPlan, keys: readonly SortKey[], spec: OrderSpec, offset: number, end: number, vctx: ValueContext,
  sink: RowSink,
): void {
  const cacheKey = spec.unstable ? null : `${plan.cum.length}|${plan.total}|${plan.series.map((s) => s.index).join(',')}|${plan.h0}|${JSON.stringify(keys)}|${vctx.dataVersion}|${vctx.seed}`;
  let m = cacheKey ? MAT_CACHE.get(cacheKey) : undefined;
  if (!m) {
    const total = plan.total;
    const si = new Int32Array(total), hh = new Int32Array(total);
    let k = 0;
    const buf = new Int32Array(plan.series.length);
    for (let j = 0; j < plan.cum.length - 1; j++) {
      const n = rowsAtHour(plan, plan.h0 + j, buf);
      for (let x = 0; x < n; x++, k++) { si[k] = buf[x]; hh[k] = plan.h0 + j; }
    }
    const [f1] = facetIds(plan);
    const s = plan.series;
    const needVal = keys.some((key) => key.column === 'value');
    const vals = needVal ? Float64Array.from({ length: total }, (_, r) => seriesValue(s[si[r]], hh[r], vctx) ?? NaN) : null;
    const parts: Cmp[] = keys.map((key) => {
      const sign = key.direction === 'asc' ? 1 : -1;
      if (key.column === 'value') return (a, b) => sign * cmpNullsLast(vals![a], vals![b], sign);
      if (key.column === 'period') return (a, b) => sign * (hh[a] - hh[b]);
      const dim = key.column === f1 ? 'dim1' : 'dim2';
      return (a, b) => sign * (s[si[a]][dim] < s[si[b]][dim] ? -1 : s[si[a]][dim] > s[si[b]][dim] ? 1 : 0);
    });
    const tie: Cmp = spec.unstable
      ? (a, b) => hash3(spec.requestSeed ^ SALT.TIES, s[si[a]].key, hh[a]) - hash3(spec.requestSeed ^ SALT.TIES, s[si[b]].key, hh[b]) || a - b
      : (a, b) => si[a] - si[b] || hh[a] - hh[b];
    const idx = Uint32Array.from({ length: total }, (_, r) => r);
    idx.sort((a, b) => {
      for (const p of parts) {
        const c = p(a, b);
        if (c !== 0) return c;
      }
      return tie(a, b);
    });
    m = { si: Int32Array.from(idx, (r) => si[r]), hh: Int32Array.from(idx, (r) => hh[r]) };
    if (cacheKey) {
      MAT_CACHE.set(cacheKey, m);
      if (MAT_CACHE.size > 4) MAT_CACHE.delete(MAT_CACHE.keys().next().value as string);
    }
  }
  for (let p = offset; p < end; p++) sink(m.si[p], m.hh[p]);
}

/** Row at canonical (period asc, codes asc) position `p`. */
function canonicalAt(plan: QueryPlan, p: number, buf: Int32Array): [number, number] {
  const j = hourSlotOf(plan.cum, p);
  const h = plan.h0 + j;
  let k = p - plan.cum[j];
  for (let i = 0; i < plan.series.length; i++) {
    if (present(plan, i, h) && k-- === 0) return [i, h];
  }
  rowsAtHour(plan, h, buf);
  return [buf[0], h];
}

function shuffled(plan: QueryPlan, spec: OrderSpec, offset: number, end: number, sink: RowSink): void {
  const total = plan.total;
  let bits = 2;
  while (2 ** bits < total) bits += 2;
  const half = bits / 2, mask = (1 << half) - 1;
  const permute = (x: number): number => {
    do {
      let l = Math.floor(x / 2 ** half), r = x & mask;
      for (let round = 0; round < 4; round++) {
        const f = hash3(spec.requestSeed ^ SALT.SHUFFLE, round, r) & mask;
        [l, r] = [r, l ^ f];
      }
      x = l * 2 ** half + r;
    } while (x >= total);
    return x;
  };
  const buf = new Int32Array(plan.series.length);
  for (let p = offset; p < end; p++) {
    const [i, h] = canonicalAt(plan, permute(p), buf);
    sink(i, h);
  }
}

/** Per-request seed derived from the simulator seed and the request number. */
export function requestSeed(seed: number, requestNo: number): number {
  return hash2(seed ^ SALT.SHUFFLE, requestNo);
}
