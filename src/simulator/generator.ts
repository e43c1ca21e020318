/**
 * Ground truth, pure: `countRows` is what `response.total` says for a query and `generateRows` yields the rows the
 * server returns (with `data[0]=value`) in full-sort order (period asc, then facet codes asc). Both agree with the
 * server exactly when given the same options (seed, nowMs, lagHours, quirks, compatMode).
 *
 * Also the row renderer the server uses: one JSON string per row from the series' precomputed prefix.
 */
import { DATASET_INFO, HISTORY_START_MS, VALUE_UNITS, type Dataset } from '../core/catalog.js';
import type { EiaRow } from '../core/contracts.js';
import { HOUR_MS, formatHourStamp } from '../core/time.js';
import { resolveOptions, simNow, type SimulatorOptions } from './options.js';
import { getPlan, rowsAtHour, type QueryPlan } from './plan.js';
import { presenceContext } from './presence.js';
import { seriesValue, valueContext, type ValueContext } from './values.js';

/** A query in the terms of the planner: one route, facet filters, a half-open window of period stamps. */
export interface SimQuery {
  dataset: Dataset;
  /** Facet id → codes (OR within, AND across); an absent or empty list does not filter. */
  facets: Record<string, readonly string[]>;
  /** First period stamp, epoch ms (inclusive). */
  startMs: number;
  /** End of the window, epoch ms (exclusive). */
  endMs: number;
}

/** Hour index of an instant (hours since 2019-01-01T00 UTC), rounded up to a whole hour. */
export function hourIndex(ms: number): number {
  return Math.ceil((ms - HISTORY_START_MS) / HOUR_MS);
}

/** The plan of a `SimQuery` at the simulated now of `opts`. */
export function planFor(q: SimQuery, opts: Partial<SimulatorOptions> = {}, nowMs?: number): QueryPlan {
  const o = resolveOptions(opts);
  return getPlan(q.dataset, q.facets, hourIndex(q.startMs), hourIndex(q.endMs), presenceContext(o, nowMs ?? simNow(o)));
}

/** The number of rows the server would report as `total` for `q` (pure; plans are cached). */
export function countRows(q: SimQuery, opts: Partial<SimulatorOptions> = {}): number {
  return planFor(q, opts).total;
}

/**
 * The rows of `q` exactly as the server sends them with `data[0]=value` and a full sort (period asc, then facet
 * codes asc): keys in route order, `value` a string or null (numbers with `compatMode: '2023'`).
 */
export function* generateRows(q: SimQuery, opts: Partial<SimulatorOptions> = {}): Generator<EiaRow> {
  const o = resolveOptions(opts);
  const now = simNow(o);
  const plan = planFor(q, opts, now);
  const vctx = valueContext(o, now);
  const numeric = o.compatMode === '2023';
  const [k1, n1, k2, n2] = DATASET_INFO[q.dataset].rowKeys.slice(1, 5);
  const buf = new Int32Array(plan.series.length);
  for (let j = 0; j < plan.cum.length - 1; j++) {
    if (plan.cum[j + 1] === plan.cum[j]) continue;
    const h = plan.h0 + j;
    const period = stampOf(h);
    const n = rowsAtHour(plan, h, buf);
    for (let k = 0; k < n; k++) {
      const s = plan.series[buf[k]];
      const v = seriesValue(s, h, vctx);
      yield {
        period, [k1]: s.dim1, [n1]: s.name1, [k2]: s.dim2, [n2]: s.name2,
        value: v === null ? null : numeric ? v : String(v), 'value-units': VALUE_UNITS,
      };
    }
  }
}

const stamps: string[] = [];

/** `YYYY-MM-DDTHH` of hour index `h` (cached). */
export function stampOf(h: number): string {
  let s = stamps[h];
  if (s === undefined) {
    s = formatHourStamp(HISTORY_START_MS + h * HOUR_MS);
    if (h >= 0 && h < 200_000) stamps[h] = s;
  }
  return s;
}

/** `YYYY-MM-DDTHH±HH` of hour index `h` in a fixed UTC offset (local-hourly). */
export function localStampOf(h: number, tz: number): string {
  const base = formatHourStamp(HISTORY_START_MS + (h + tz) * HOUR_MS);
  const a = Math.abs(tz);
  return `${base}${tz < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
}

const UNITS_TAIL = ',"value-units":"megawatthours"}';

/**
 * A renderer of rows of `plan` as compact JSON strings. `withValue` = `data[]` asked for `value`; `numeric` = 2023
 * mode (value as a number); `localHourly` = periods in the respondent's standard local time with an offset suffix.
 */
export function rowRenderer(
  plan: QueryPlan, vctx: ValueContext, withValue: boolean, numeric: boolean, localHourly = false,
): (i: number, h: number) => string {
  const series = plan.series;
  const stamp = localHourly ? (i: number, h: number) => localStampOf(h, series[i].profile.tz) : (_: number, h: number) => stampOf(h);
  if (!withValue) return (i, h) => '{"period":"' + stamp(i, h) + '"' + series[i].prefix + '}';
  if (numeric) {
    return (i, h) => {
      const v = seriesValue(series[i], h, vctx);
      return '{"period":"' + stamp(i, h) + '"' + series[i].prefix + ',"value":' + (v === null ? 'null' : v) + UNITS_TAIL;
    };
  }
  return (i, h) => {
    const v = seriesValue(series[i], h, vctx);
    return '{"period":"' + stamp(i, h) + '"' + series[i].prefix + (v === null ? ',"value":null' : ',"value":"' + v + '"') + UNITS_TAIL;
  };
}
