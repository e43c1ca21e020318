/**
 * Which rows exist: a series has a row at hour h when h is inside its life span, not past the publication edge
 * (now − lagHours − the respondent's publication lag), and not a missing hour. Missing hours are drawn per block
 * (one hash per day / per 30 days), so they can be enumerated for a range without touching every hour.
 */
import { HISTORY_START_MS } from '../core/catalog.js';
import { HOUR_MS } from '../core/time.js';
import { SALT, hash2, hash3, unit } from './hash.js';
import { simNow, type QuirkRates, type ResolvedOptions } from './options.js';
import { perturbKey, type Perturbation } from './perturb.js';
import type { Series } from './series.js';

/** What row presence depends on besides the series. */
export interface PresenceContext {
  readonly seed: number;
  readonly quirks: Readonly<QuirkRates>;
  /** Hour index of endPeriod (the last period stamp anyone may have), inclusive. */
  readonly lastHour: number;
  /** The perturbed universe, or null (perturb.ts). */
  readonly perturb: Readonly<Perturbation> | null;
  /** Cache key of everything above. */
  readonly key: string;
}

/** Presence context at the simulated now. */
export function presenceContext(opts: ResolvedOptions, nowMs = simNow(opts)): PresenceContext {
  const lastHour = Math.floor((nowMs - opts.lagHours * HOUR_MS - HISTORY_START_MS) / HOUR_MS);
  const q = opts.quirks;
  const key = [opts.seed | 0, lastHour, q.missingHour, q.missingRun, q.missingExempt.join(','),
    q.publicationLagMaxHours, q.taxonomyChange].join('|') + perturbKey(opts.perturb);
  return { seed: opts.seed | 0, quirks: q, lastHour, perturb: opts.perturb, key };
}

/** Publication lag of a series' respondent, hours (interchange arrives a day later still). */
export function publicationLag(s: Series, ctx: PresenceContext): number {
  const max = ctx.quirks.publicationLagMaxHours;
  if (max <= 0) return 0;
  return 1 + (hash2(ctx.seed ^ SALT.LAG, s.respKey) % max) + (s.dataset === 'interchange-data' ? 24 : 0);
}

/** End of a series' available hours (exclusive hour index). */
export function seriesEnd(s: Series, ctx: PresenceContext): number {
  return Math.min(s.endHour, ctx.lastHour + 1 - publicationLag(s, ctx));
}

/** Respondents with extra single-hour gaps, and the hour-of-day their gaps fall on (MISO: T05, as in 2019). */
const GAP_PROFILE: Record<string, { mult: number; hour: number }> = {
  MISO: { mult: 3, hour: 5 },
  PJM: { mult: 1, hour: 5 },
};

/**
 * Missing hours of series `s` within [h0, h1), sorted ascending, unique. Single-hour gaps are drawn per
 * (respondent, day) on region-data (every type of the respondent misses the hour) and per (series, day) elsewhere;
 * runs of 2–48 h per (series, 30-day block). Exempt respondents never miss rows.
 */
export function missingHours(s: Series, h0: number, h1: number, ctx: PresenceContext): Int32Array {
  const q = ctx.quirks;
  if (h1 <= h0 || q.missingExempt.includes(s.respondent)) return EMPTY;
  const out: number[] = [];
  const gap = GAP_PROFILE[s.respondent];
  const rate = q.missingHour * (gap ? gap.mult : 1);
  if (rate > 0) {
    const missKey = s.dataset === 'region-data' ? s.respKey : s.key;
    for (let d = Math.floor(h0 / 24), dEnd = Math.floor((h1 - 1) / 24); d <= dEnd; d++) {
      const u = hash3(ctx.seed ^ SALT.MISS_HOUR, missKey, d);
      if (unit(u) < rate) {
        const h = d * 24 + (gap ? gap.hour : (u >>> 8) % 24);
        if (h >= h0 && h < h1) out.push(h);
      }
    }
  }
  if (q.missingRun > 0) {
    for (let b = Math.floor((h0 - 48) / 720), bEnd = Math.floor((h1 - 1) / 720); b <= bEnd; b++) {
      const u = hash3(ctx.seed ^ SALT.MISS_RUN, s.key, b);
      if (unit(u) < q.missingRun) {
        const start = b * 720 + ((u >>> 8) % 720);
        const len = 2 + ((u >>> 18) % 47);
        for (let h = Math.max(start, h0), e = Math.min(start + len, h1); h < e; h++) out.push(h);
      }
    }
  }
  if (out.length === 0) return EMPTY;
  out.sort((a, b) => a - b);
  const uniq: number[] = [];
  for (const h of out) if (uniq.length === 0 || uniq[uniq.length - 1] !== h) uniq.push(h);
  return Int32Array.from(uniq);
}

const EMPTY = new Int32Array(0);

/** True when sorted `arr` contains `h` (binary search; most arrays are empty). */
export function contains(arr: Int32Array, h: number): boolean {
  let lo = 0, hi = arr.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = arr[mid];
    if (v === h) return true;
    if (v < h) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
