/**
 * The value model: `seriesValue(series, hour, ctx)` → whole MWh or null, deterministic in (seed, series, hour,
 * data version). Pure and allocation-free: it runs once per served row.
 *
 * Base shapes (docs/eia-api.md §15.7): diurnal + seasonal + weekly demand scaled per respondent; solar by day length
 * with clouds and small night values; noisy wind that dips slightly negative; seasonal hydro; nuclear with outages;
 * dispatchable fuels following demand; storage charging (negative) and discharging. Quirks are applied on top.
 */
import { HISTORY_START_MS } from '../core/catalog.js';
import { HOUR_MS } from '../core/time.js';
import { SALT, hash2, hash3, hash4, mix32, smoothNoise, unit } from './hash.js';
import { simNow, type QuirkRates, type ResolvedOptions } from './options.js';
import type { Perturbation } from './perturb.js';
import type { RespondentProfile } from './profiles.js';
import { Kind, fuelSeriesOf, type Series } from './series.js';

/** Per-request facts the value model needs besides (series, hour). */
export interface ValueContext {
  readonly seed: number;
  readonly quirks: Readonly<QuirkRates>;
  /** Hour index of the simulated now (floored). */
  readonly nowHour: number;
  /** Revision counter: floor(now / revisionIntervalMs). */
  readonly dataVersion: number;
  readonly shiftResp: string | null;
  readonly shiftFrom: number;
  readonly shiftTo: number;
  readonly shiftHours: number;
  /** Whether the 2024-07 fuel taxonomy change applies (net generation sums the fuels alive at the hour). */
  readonly taxonomy: boolean;
  /** The perturbed universe (net generation sums its fuels), or null. */
  readonly perturb: Readonly<Perturbation> | null;
}

/** Build the value context for the simulated now. */
export function valueContext(opts: ResolvedOptions, nowMs = simNow(opts)): ValueContext {
  const q = opts.quirks;
  const sh = q.timestampShift;
  return {
    seed: opts.seed | 0,
    quirks: q,
    nowHour: Math.floor((nowMs - HISTORY_START_MS) / HOUR_MS),
    dataVersion: q.revisionIntervalMs > 0 ? Math.floor(nowMs / q.revisionIntervalMs) : 0,
    shiftResp: sh ? sh.respondent : null,
    shiftFrom: sh ? Math.ceil((sh.fromMs - HISTORY_START_MS) / HOUR_MS) : 0,
    shiftTo: sh ? Math.ceil((sh.toMs - HISTORY_START_MS) / HOUR_MS) : 0,
    shiftHours: sh ? sh.hours : 0,
    taxonomy: q.taxonomyChange,
    perturb: opts.perturb,
  };
}

const TAU = 2 * Math.PI;
/** PACW's recorded January demand by local hour-ending, normalised to mean 1. */
const DIURNAL = (() => {
  const pacw = [2305, 2249, 2226, 2212, 2224, 2259, 2344, 2463, 2587, 2686, 2700, 2638, 2571, 2497, 2437, 2417,
    2455, 2579, 2717, 2665, 2605, 2529, 2450, 2374];
  const mean = pacw.reduce((a, b) => a + b, 0) / 24;
  return Float64Array.from(pacw, (v) => v / mean);
})();
const BAT_SHAPE = [0, 0, 0, 0, 0, 0, 0, 0, -0.1, -0.4, -0.6, -0.7, -0.7, -0.6, -0.4, -0.1, 0.2, 0.6, 0.9, 1, 0.8,
  0.5, 0.2, 0.05];
const PS_SHAPE = [-0.6, -0.7, -0.7, -0.7, -0.6, -0.4, 0, 0.2, 0.4, 0.3, 0.1, 0, 0, 0, 0, 0.1, 0.3, 0.6, 0.8, 0.9,
  0.7, 0.3, -0.2, -0.4];

/** Hour index of NYIS's zero demand (2019-04-18T04) and PJM's spike (2019-12-11T20). */
const NYIS_ZERO_H = (Date.UTC(2019, 3, 18, 4) - HISTORY_START_MS) / HOUR_MS;
const PJM_SPIKE_H = (Date.UTC(2019, 11, 11, 20) - HISTORY_START_MS) / HOUR_MS;
const Y2020_H = (Date.UTC(2020, 0, 1) - HISTORY_START_MS) / HOUR_MS;

function localHourEnding(p: RespondentProfile, h: number): number {
  return (((h + p.tz) % 24) + 24) % 24;
}

function dayOfYear(p: RespondentProfile, h: number): number {
  return (((h + p.tz) / 24) % 365.2425 + 365.2425) % 365.2425;
}

let memoKey = -1, memoH = -1, memoSeed = 0, memoVal = 0;
let genKey = -1, genH = -1, genSeed = 0, genTax = false, genVal = 0;
let genUni: Readonly<Perturbation> | null = null;

/**
 * Net generation of a respondent at hour h, MW: the sum of its fuel series' base values (alive at h) with ±2%
 * reporting noise, so Σ fuel ≈ NG within a few percent hour by hour and NG − TI ≈ D.
 */
export function generation(s: Series, h: number, seed: number, taxonomy: boolean, perturb: Readonly<Perturbation> | null = null): number {
  if (genKey === s.respKey && genH === h && genSeed === seed && genTax === taxonomy && genUni === perturb) return genVal;
  let sum = 0;
  for (const f of fuelSeriesOf(s.respondent, taxonomy, perturb)) if (h >= f.startHour && h < f.endHour) sum += baseValue(f, h, seed, taxonomy, perturb);
  const v = sum * (1 + 0.02 * smoothNoise(s.respKey ^ seed ^ SALT.TOTALS, h, 5));
  genKey = s.respKey; genH = h; genSeed = seed; genTax = taxonomy; genUni = perturb; genVal = v;
  return v;
}

/** Demand of a respondent at hour h, MW (before quirks). */
export function demand(p: RespondentProfile, respKey: number, h: number, seed: number): number {
  if (memoKey === respKey && memoH === h && memoSeed === seed) return memoVal;
  const doy = dayOfYear(p, h);
  const season = 1 + p.summer * Math.max(0, Math.cos((TAU * (doy - 200)) / 365.25)) +
    p.winter * Math.max(0, Math.cos((TAU * (doy - 15)) / 365.25));
  const dow = (Math.floor((h + p.tz) / 24) + 2) % 7; // 2019-01-01 was a Tuesday
  const week = dow === 0 || dow === 6 ? 0.94 : 1;
  const k = respKey ^ seed;
  const noise = 1 + 0.03 * smoothNoise(k, h, 24) + 0.012 * smoothNoise(k ^ SALT.NOISE, h, 5);
  const v = p.meanDemand * season * DIURNAL[localHourEnding(p, h)] * week * noise;
  memoKey = respKey; memoH = h; memoSeed = seed; memoVal = v;
  return v;
}

function sunFactor(p: RespondentProfile, h: number): number {
  const doy = dayOfYear(p, h);
  const c = Math.cos((TAU * (doy - 172)) / 365.25);
  const dayLength = 12 + 3.5 * c;
  const rise = 12 - dayLength / 2;
  const x = localHourEnding(p, h) - 0.5;
  if (x <= rise || x >= rise + dayLength) return 0;
  return Math.sin((Math.PI * (x - rise)) / dayLength) * (0.7 + 0.3 * c);
}

function windFactor(key: number, h: number): number {
  let w = 0.45 + 0.45 * smoothNoise(key ^ SALT.WIND, h, 10) + 0.25 * smoothNoise(key ^ SALT.WIND ^ 1, h, 53);
  w = w < 0 ? 0 : w > 1 ? 1 : w;
  return w * w;
}

/** The series value before quirks, MW (may be fractional or negative). */
export function baseValue(s: Series, h: number, seed: number, taxonomy = true, perturb: Readonly<Perturbation> | null = null): number {
  const p = s.profile;
  const k = s.key ^ seed;
  switch (s.kind) {
    case Kind.D:
      return demand(p, s.respKey, h, seed);
    case Kind.DF:
      return demand(p, s.respKey, h, seed) * (1 + 0.025 * smoothNoise(k, h, 7));
    case Kind.NGR:
      return generation(s, h, seed, taxonomy, perturb);
    case Kind.TI: {
      const g = generation(s, h, seed, taxonomy, perturb);
      if (p.meanDemand === 0) return 0.98 * g;
      const d = demand(p, s.respKey, h, seed);
      return g - d + 0.01 * d * smoothNoise(k, h, 3);
    }
    case Kind.SUN: case Kind.SNB: {
      const sf = sunFactor(p, h);
      if (sf > 0) return s.cap * sf * (0.55 + 0.45 * (0.5 + 0.5 * smoothNoise(k ^ SALT.CLOUD, h, 30)));
      if (s.kind === Kind.SNB) return 0;
      const u = hash3(seed ^ SALT.NIGHT, s.key, h);
      if (s.cap > 1500) return unit(u) < 0.57 ? -(10 + (u >>> 8) % 49) : 0;
      return ((u >>> 8) % 5) - 1;
    }
    case Kind.WND: case Kind.WNB: {
      const v = s.cap * windFactor(k, h);
      if (v >= 0.01 * s.cap + 1) return v;
      return -((hash3(seed ^ SALT.NIGHT, s.key, h) >>> 8) % 4);
    }
    case Kind.WAT:
      return s.cap * (0.55 + 0.3 * Math.cos((TAU * (dayOfYear(p, h) - 140)) / 365.25)) *
        (0.9 + 0.1 * DIURNAL[localHourEnding(p, h)]) * (1 + 0.06 * smoothNoise(k, h, 48));
    case Kind.NUC: {
      const out = unit(hash3(seed ^ SALT.OUTAGE, s.key, Math.floor(h / 720))) < 0.12;
      return s.cap * (out ? 0.45 : 0.97) * (1 + 0.005 * smoothNoise(k, h, 24));
    }
    case Kind.GEO:
      return s.cap * (0.9 + 0.03 * smoothNoise(k, h, 24));
    case Kind.DISP: {
      const r = p.meanDemand > 0 ? demand(p, s.respKey, h, seed) / p.meanDemand : 1;
      const e = s.code === 'COL' ? 1 : s.code === 'OIL' ? 3 : 2.5;
      return s.cap * Math.pow(r, e) * (1 + 0.05 * smoothNoise(k, h, 9));
    }
    case Kind.OTH:
      return s.cap * (1 + 0.08 * smoothNoise(k, h, 6));
    case Kind.BAT:
      return s.cap * BAT_SHAPE[localHourEnding(p, h)] * (0.8 + 0.2 * smoothNoise(k, h, 24));
    case Kind.PS:
      return s.cap * PS_SHAPE[localHourEnding(p, h)] * (0.8 + 0.2 * smoothNoise(k, h, 24));
    case Kind.XCH: {
      const flow = s.cap * (0.3 + 0.7 * smoothNoise(s.pairKey ^ seed, h, 12));
      return s.sign > 0 ? flow : -flow;
    }
    case Kind.SUB:
      return demand(p, s.respKey, h, seed) * s.cap * (1 + 0.03 * smoothNoise(k, h, 8));
    default:
      return 0;
  }
}

function isFuel(kind: Kind): boolean {
  return kind >= Kind.SUN && kind <= Kind.WNB;
}

/**
 * The served value of series `s` at hour index `h`: whole MWh (2 decimals for a perturbed universe's decimal
 * series), or null for a "reported missing" hour.
 */
export function seriesValue(s: Series, h: number, ctx: ValueContext): number | null {
  if (s.constant) return 0;
  const q = ctx.quirks;
  const seed = ctx.seed;
  let hv = h;
  if (ctx.shiftResp === s.respondent && h >= ctx.shiftFrom && h < ctx.shiftTo) hv = h + ctx.shiftHours;
  if (q.identicalRun > 0) {
    const block = Math.floor(hv / 168);
    const u = hash3(seed ^ SALT.IDENT_RUN, s.key, block);
    if (unit(u) < q.identicalRun) {
      const start = block * 168 + ((u >>> 8) % 160);
      if (hv >= start && hv < start + 3 + ((u >>> 20) % 6)) hv = start;
    }
  }
  let v = baseValue(s, hv, seed, ctx.taxonomy, ctx.perturb);
  if (q.fixedAnomalies) {
    if (s.kind === Kind.D && h === NYIS_ZERO_H && s.respondent === 'NYIS') return 0;
    if (s.kind === Kind.D && h === PJM_SPIKE_H && s.respondent === 'PJM') return 417669;
    if (s.kind === Kind.SUN && h < Y2020_H && s.respondent === 'NYIS') return 0;
  }
  const rq = hash3(seed ^ SALT.ROW_QUIRK, s.key, h);
  let u = unit(rq);
  if (u < q.nullValue) return null;
  if (s.kind === Kind.D) {
    u -= q.nullValue;
    if (u < q.spike) v *= 4 + 6 * unit(mix32(rq));
    else if ((u -= q.spike) < q.zeroDemand) v = 0;
    else if (u - q.zeroDemand < q.negativeDemand) v = -v * 0.02 * (1 + unit(mix32(rq)));
  } else if (q.inconsistentTotals > 0 && isFuel(s.kind)) {
    const t = hash3(seed ^ SALT.TOTALS, s.respKey, Math.floor(h / 24));
    if (unit(t) < q.inconsistentTotals) v *= 0.8 + 0.4 * unit(mix32(t));
  }
  if (s.kind === Kind.XCH && s.sign < 0 && q.interchangeAsymmetry > 0) {
    v *= 1 + q.interchangeAsymmetry * smoothNoise(s.key ^ seed, h, 24);
  }
  if (q.revision > 0 && h > ctx.nowHour - q.revisionHorizonHours) {
    const r = hash4(seed ^ SALT.REVISION, s.key, h, ctx.dataVersion);
    if (unit(r) < q.revision) v *= 1 + (unit(hash2(r, 7)) - 0.5) * 0.08;
  }
  // A perturbed universe's decimal series: 2 decimals, so the served string ("1234.56") is the value's shortest form.
  return s.decimals ? Math.round(v * 100) / 100 : Math.round(v);
}
