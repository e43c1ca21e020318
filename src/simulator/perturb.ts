/**
 * A perturbed universe (`perturb` option, `--universe perturbed[:seed]`): the series the simulator serves differ
 * from the respondent table the pipeline plans with, as the real API's do (docs/parts/simulator.md, "Perturbed
 * universe"). Deterministic in the perturbation's seed, per respondent:
 *
 * - **extra fuels**: 1–2 fuel codes the table does not list (BAT, SUN, WND, OTH, UNK, GEO, OES), from the
 *   respondent's first hour or from a month inside 2019-02…2025-11 (a BA gaining a fuel);
 * - **dropped fuels**: one listed fuel never served, or served only until such a month;
 * - **a late start**: the respondent publishes nothing (no route) before such a month;
 * - **an early stop**: it publishes nothing from such a month on (at least 6 months after its start);
 * - **decimal values**, per series: the value rounded to 2 decimals instead of a whole MWh ("1234.56").
 *
 * Net generation follows the perturbed fuel set (it is the sum of the fuels alive at the hour), interchange pairs
 * and sub-BAs follow their respondents' perturbed lives. Pure; nothing here runs per row.
 */
import { HISTORY_START_MS } from '../core/catalog.js';
import { HOUR_MS } from '../core/time.js';
import { hash3, strHash, unit } from './hash.js';

/** How a universe is perturbed: a seed and the probabilities (0–1) of each change. */
export interface Perturbation {
  readonly seed: number;
  /** Per respondent: probability of 1–2 fuels the table does not list. */
  readonly extraFuels: number;
  /** Per respondent: probability that one listed fuel is never served or stops mid-range. */
  readonly dropFuels: number;
  /** Per respondent: probability that it starts publishing months into the range. */
  readonly lateStart: number;
  /** Per respondent: probability that it stops publishing before the range ends. */
  readonly earlyStop: number;
  /** Per series: probability that its values carry 2 decimals. */
  readonly decimals: number;
}

/** Default rates of `perturbed` (the seed defaults to 1). */
export const DEFAULT_PERTURBATION: Readonly<Perturbation> = Object.freeze({
  seed: 1,
  extraFuels: 0.35,
  dropFuels: 0.3,
  lateStart: 0.25,
  earlyStop: 0.15,
  decimals: 0.3,
});

/** A perturbation with every rate filled in (null stays null: the unperturbed universe). */
export function resolvePerturbation(p: Partial<Perturbation> | null | undefined): Readonly<Perturbation> | null {
  if (!p) return null;
  const out: Record<string, number> = { ...DEFAULT_PERTURBATION };
  for (const [k, v] of Object.entries(p)) if (v !== undefined) out[k] = v;
  return Object.freeze(out as unknown as Perturbation);
}

/** Cache key of a perturbation; '' for none, so every unperturbed key stays what it was. */
export function perturbKey(p: Readonly<Perturbation> | null): string {
  return p ? `u${p.seed | 0}:${p.extraFuels}:${p.dropFuels}:${p.lateStart}:${p.earlyStop}:${p.decimals}` : '';
}

/** Fuel codes an extra fuel is drawn from (OTH/UNK/OES: codes a table rarely lists per BA). */
export const EXTRA_FUEL_CODES: readonly string[] = ['BAT', 'SUN', 'WND', 'OTH', 'UNK', 'GEO', 'OES'];

/** What the perturbation changes for one respondent. Hours are hour indexes (see series.ts). */
export interface RespondentChange {
  /** Publishing starts at / ends before these hours (−∞ / +∞: unchanged). */
  readonly startHour: number;
  readonly endHour: number;
  readonly extra: readonly { readonly fuel: string; readonly share: number; readonly startHour: number }[];
  readonly drop: readonly { readonly fuel: string; readonly fromHour: number }[];
}

const UNCHANGED: RespondentChange = Object.freeze({ startHour: -Infinity, endHour: Infinity, extra: [], drop: [] });
const SALT_UNIVERSE = 0x1012;
/** Months from 2019-01 (0) to 2026-01 (84). */
const monthHour = (k: number) => (Date.UTC(2019, k, 1) - HISTORY_START_MS) / HOUR_MS + 1;
/** A month index in [lo, hi] from hash `u`. */
const monthIn = (u: number, lo: number, hi: number) => lo + ((u >>> 7) % (hi - lo + 1));

const changeCache = new Map<string, RespondentChange>();

/**
 * The changes of respondent `code`, whose table lists `listedFuels` (the fuels it reports at any time, the
 * taxonomy change's included). Memoized per (perturbation, code).
 */
export function respondentChange(p: Readonly<Perturbation> | null, code: string, listedFuels: readonly string[]): RespondentChange {
  if (!p) return UNCHANGED;
  const ck = `${perturbKey(p)}|${code}|${listedFuels.join(',')}`;
  const hit = changeCache.get(ck);
  if (hit) return hit;
  const key = strHash(code);
  const draw = (i: number) => hash3(p.seed ^ SALT_UNIVERSE, key, i);
  let startHour = -Infinity, endHour = Infinity, startMonth = 0;
  const late = draw(1);
  if (unit(late) < p.lateStart) {
    startMonth = monthIn(late, 1, 71); // 2019-02 … 2024-12
    startHour = monthHour(startMonth);
  }
  const stop = draw(2);
  if (unit(stop) < p.earlyStop) endHour = monthHour(monthIn(stop, Math.max(startMonth + 6, 12), 82)); // … 2025-11
  const extra: { fuel: string; share: number; startHour: number }[] = [];
  const ex = draw(3);
  if (unit(ex) < p.extraFuels) {
    const candidates = EXTRA_FUEL_CODES.filter((f) => !listedFuels.includes(f));
    const n = Math.min(candidates.length, 1 + ((ex >>> 9) & 1));
    for (let i = 0; i < n; i++) {
      const u = draw(10 + i);
      const fuel = candidates.splice(u % candidates.length, 1)[0];
      const gained = (u >>> 11) & 1;
      extra.push({ fuel, share: 0.02 + 0.08 * unit(draw(20 + i)), startHour: gained ? monthHour(monthIn(u, 1, 82)) : -Infinity });
    }
  }
  const drop: { fuel: string; fromHour: number }[] = [];
  const dr = draw(4);
  if (listedFuels.length > 1 && unit(dr) < p.dropFuels) {
    const fuel = listedFuels[(dr >>> 5) % listedFuels.length];
    drop.push({ fuel, fromHour: unit(draw(5)) < 0.4 ? -Infinity : monthHour(monthIn(dr, 1, 82)) });
  }
  const out: RespondentChange = Object.freeze({ startHour, endHour, extra, drop });
  changeCache.set(ck, out);
  return out;
}

/** Whether the series with hash key `seriesKey` carries 2-decimal values under `p`. */
export function seriesDecimals(p: Readonly<Perturbation> | null, seriesKey: number): boolean {
  return p !== null && unit(hash3(p.seed ^ SALT_UNIVERSE, seriesKey, 99)) < p.decimals;
}

/** `perturbed` or `perturbed:<seed>` (the CLI's `--universe`), else null. */
export function parseUniverse(v: string): Partial<Perturbation> | null | undefined {
  if (v === 'table') return null;
  const m = /^perturbed(?::(-?\d+))?$/.exec(v);
  if (!m) return undefined;
  return { seed: m[1] === undefined ? DEFAULT_PERTURBATION.seed : Number(m[1]) };
}

const monthOf = (h: number) => new Date(HISTORY_START_MS + (h - 1) * HOUR_MS).toISOString().slice(0, 7);

/** One line per changed respondent, e.g. `PACW: from 2020-07; +OES, +GEO from 2025-09` or `ERCO: from 2019-10 stops at 2020-07`. */
export function describeChange(code: string, c: RespondentChange | null): string | null {
  if (!c) return null;
  const parts: string[] = [];
  if (Number.isFinite(c.startHour) || Number.isFinite(c.endHour)) {
    parts.push([Number.isFinite(c.startHour) ? `from ${monthOf(c.startHour)}` : '', Number.isFinite(c.endHour) ? `stops at ${monthOf(c.endHour)}` : ''].filter(Boolean).join(' '));
  }
  const extra = c.extra.map((e) => `+${e.fuel}${Number.isFinite(e.startHour) ? ` from ${monthOf(e.startHour)}` : ''}`);
  const drop = c.drop.map((d) => `−${d.fuel}${Number.isFinite(d.fromHour) ? ` from ${monthOf(d.fromHour)}` : ' (never served)'}`);
  if (extra.length) parts.push(extra.join(', '));
  if (drop.length) parts.push(drop.join(', '));
  return parts.length ? `${code}: ${parts.join('; ')}` : null;
}
