/**
 * The publication frontier applied to a plan. Pure.
 *
 * EIA publishes each hour with a lag and keeps revising recent hours (docs/eia-api.md §12.5), and a route's
 * metadata names its latest published hour (`endPeriod`). A unit whose window reaches past that hour, or into the
 * revision horizon behind it, is fetched now (what exists is stored) but recorded *open*: the next `historical` or `incremental` run
 * fetches it again, until its whole window lies behind the frontier by the horizon. Without this a unit fetched
 * while its hours were still being published would be committed as done and its missing hours never fetched.
 */
import type { Dataset } from '../core/catalog.js';
import type { ApiWorkUnit } from '../core/contracts.js';
import { configError } from '../core/errors.js';
import { HOUR_MS, formatHourStamp } from '../core/time.js';

/** Latest published hour (epoch ms, inclusive) per route. */
export type Frontiers = ReadonlyMap<Dataset, number>;

/** Units to fetch now (ends clamped, `open` set) and how many lie wholly past their route's frontier. */
export interface FrontierPlan {
  readonly units: ApiWorkUnit[];
  /** Units not fetched: no hour of theirs is published yet (a later run plans them again). */
  readonly later: number;
}

/**
 * Clamp each unit to its route's frontier and mark it open when any hour of it may still arrive or change: its
 * window was cut at the frontier, or its last hour is less than `horizonHours` behind the frontier. The id stays
 * the planned one, so the next run recognises the unit in the ledger.
 */
export function applyFrontier(units: readonly ApiWorkUnit[], frontiers: Frontiers, horizonHours: number): FrontierPlan {
  const out: ApiWorkUnit[] = [];
  let later = 0;
  for (const u of units) {
    const latest = frontiers.get(u.dataset);
    if (latest === undefined) {
      out.push(u);
      continue;
    }
    if (u.startMs > latest) {
      later++;
      continue;
    }
    const endMs = Math.min(u.endMs, latest + HOUR_MS);
    const open = endMs < u.endMs || isOpenWindow(endMs, latest, horizonHours);
    const hours = (endMs - u.startMs) / HOUR_MS;
    const planned = (u.endMs - u.startMs) / HOUR_MS;
    out.push({ ...u, endMs, expectedRows: Math.round((u.expectedRows * hours) / planned), frontierMs: latest, open });
  }
  return { units: out, later };
}

/** True when a window ending at `endMs` (exclusive) has an hour less than `horizonHours` behind `latestMs`. */
export function isOpenWindow(endMs: number, latestMs: number, horizonHours: number): boolean {
  return endMs - HOUR_MS > latestMs - horizonHours * HOUR_MS;
}

/**
 * The user's range against the frontier (the latest of the selected routes): a range wholly after it is a usage
 * error; an end after it is clamped, with a one-line notice.
 * @throws EtlError ETL_CONFIG_INVALID when no hour of the range is published yet.
 */
export function clampRange(startMs: number, endMs: number, latestMs: number): { endMs: number; notice: string | null } {
  if (startMs > latestMs) {
    throw configError(
      `--start ${formatHourStamp(startMs)} is after EIA's latest published hour ${formatHourStamp(latestMs)} (UTC): ` +
        `no hour of the range is published yet; use a --start at or before it`,
    );
  }
  if (endMs <= latestMs + HOUR_MS) return { endMs, notice: null };
  return {
    endMs: latestMs + HOUR_MS,
    notice:
      `--end ${formatHourStamp(endMs)} is past EIA's latest published hour ${formatHourStamp(latestMs)}: fetching up to it; ` +
      `the units that reach it stay open and the next run fetches them again`,
  };
}
