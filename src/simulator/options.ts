/**
 * Simulator options: the typed, documented knobs of the EIA API v2 simulator (docs/eia-api.md §15), their defaults,
 * and `resolveOptions`, which fills defaults once so the hot paths never test for `undefined`.
 */
import { resolvePerturbation, type Perturbation } from './perturb.js';

/** Injectable faults (docs/eia-api.md §15.8) plus the bad-input faults the reliability tests need. */
export type FaultKind =
  | '500'
  | '502'
  | '503'
  | '504'
  | 'reset'
  | 'truncate'
  | 'malformed'
  | 'latency'
  | '403'
  | 'html200'
  | 'empty200'
  | 'error200'
  | 'wrong-content-type'
  | 'oversized';

/** Every fault kind, in a stable order (the order rates are tested in). */
export const FAULT_KINDS: readonly FaultKind[] = [
  '500', '502', '503', '504', 'reset', 'truncate', 'malformed', 'latency', '403',
  'html200', 'empty200', 'error200', 'wrong-content-type', 'oversized',
];

/** Fault injection. A request is faulted by `script` first (by 1-based request number), else by `rates`. */
export interface FaultOptions {
  /** Probability per request of each kind (0–1, summed in FAULT_KINDS order; the sum should stay ≤ 1). */
  rates?: Partial<Record<FaultKind, number>>;
  /** Request number (1-based, every request the server receives counts) → fault. */
  script?: Record<number, FaultKind>;
  /** Delay of the `latency` fault, ms (default 30,000: beyond any sane client timeout). */
  delayMs?: number;
  /** Body size of the `oversized` fault, bytes (default 64 MiB). Additive to the documented API. */
  oversizedBytes?: number;
}

/** A ±N hour timestamp error for one respondent over a window (docs/eia-api.md §15.7, item 10). */
export interface TimestampShift {
  respondent: string;
  /** Window of period stamps affected, epoch ms, [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  /** Shift in hours: the value reported at hour h is the true value of hour h + hours. */
  hours: number;
}

/** Data quirk rates (docs/eia-api.md §15.7). Probabilities are 0–1; 0 disables a quirk. */
export interface QuirkRates {
  /** Per (respondent, UTC day): probability that one hour is missing for all its series (MISO: always T05). */
  missingHour: number;
  /** Per (series, 30-day block): probability of a missing run of 2–48 hours. */
  missingRun: number;
  /** Respondents (respondent / fromba / parent codes) that never miss rows. Default `['PACW']` (recordings). */
  missingExempt: string[];
  /** Per row: probability that `value` is null (row present). */
  nullValue: number;
  /** Per demand row: probability of a negative demand. */
  negativeDemand: number;
  /** Per demand row: probability of a zero demand hour. */
  zeroDemand: number;
  /** Per demand row: probability of a spike of ×4–10. */
  spike: number;
  /** Per (series, week): probability of a run of 3–8 identical values. */
  identicalRun: number;
  /** Per-respondent publication lag drawn in 1..max hours on top of `lagHours` (0 = off). */
  publicationLagMaxHours: number;
  /** Fraction of values newer than the revision horizon that differ from one data version to the next. */
  revision: number;
  /** Hours before the simulated now that can still be revised. */
  revisionHorizonHours: number;
  /** Simulated ms per data version (`X-Sim-Data-Version` = floor(now / this)). */
  revisionIntervalMs: number;
  /** Per (respondent, day): probability that fuel values are off by 5–20% against NG. */
  inconsistentTotals: number;
  /** Relative asymmetry between A→B and −(B→A) interchange (0.02 = up to ±2%). */
  interchangeAsymmetry: number;
  /** A timestamp shift for one respondent, or null. */
  timestampShift: TimestampShift | null;
  /** From 2024-07-01 some BAs add BAT/PS/SNB/WNB and drop split-out rows (never PACW). */
  taxonomyChange: boolean;
  /** The documented one-off anomalies: NYIS D 0 at 2019-04-18T04, PJM D 417669 at 2019-12-11T20, NYIS COL/SUN 0 in 2019. */
  fixedAnomalies: boolean;
}

/** All simulator options; `startSimulator` takes a `Partial` of this. */
export interface SimulatorOptions {
  /** Data and fault determinism (default 1). */
  seed: number;
  /** Valid key set; null (default) = any 20–64 letter/digit key is valid. */
  keys: string[] | null;
  /** Reject the `X-Api-Key` header, accept only `api_key` in the URL (default false). */
  strictKeyInUrl: boolean;
  /** Simulated clock, epoch ms or a function returning it (default `Date.now`). */
  nowMs: number | (() => number);
  /** Simulated time runs this many times real time from `nowMs` (default 1; applied when the server starts). */
  clockSpeed: number;
  /** endPeriod = now − lagHours, floored to the hour (default 2). */
  lagHours: number;
  /** Latency model, ms: base + perRow × rows + jitter × u (u seeded per request). null = off (default). */
  latency: { baseMs: number; perRowMs: number; jitterMs: number } | null;
  /** Fault injection; null = off (default). */
  faults: FaultOptions | null;
  /** Per-key token buckets: burst `perSecond` refilled per second, `perHour` refilled per hour. null = off. */
  budget: { perSecond: number; perHour: number } | null;
  /** What an over-budget request gets: 429 OVER_RATE_LIMIT (default) or a 403 key suspension. */
  throttleMode: '429' | '403-suspend';
  /** Suspension length in `403-suspend` mode, ms (default 60,000). */
  suspendMs: number;
  /**
   * Arrival jitter, ms: each request waits a seeded random 0…J ms before the gateway stamps it (request log `t`)
   * and counts it against the budget, as network delays differ per request (default 0 = off).
   */
  arrivalJitterMs: number;
  /** Add `Retry-After: <secs>` to 429s (default null: EIA sends none). */
  retryAfterSecs: number | null;
  /** Where the truncation warning goes (default 'root-first', apiVersion 2.1.8). */
  warnPlacement: 'root-first' | 'inside-response' | 'root-null-when-none';
  /** When the warning is added: whenever total > 5000 (default) or only when rows were left out. */
  warnWhen: 'total>5000' | 'truncated';
  /** 'current' (strings for total/value, default) or '2023' (numbers, warnings inside response). */
  compatMode: 'current' | '2023';
  /** Send 400-class application errors with HTTP 200 (before 2.1.10). */
  legacyStatus: boolean;
  /** Unknown route answers HTTP 500 with the 404 body (July 2025). */
  legacyNotFound500: boolean;
  /** Break remaining sort ties in a seeded order that changes per request. */
  unstableTies: boolean;
  /** Without `sort`, shuffle the whole result per request (instead of `period desc`). */
  legacyUnsortedDefault: boolean;
  /** Leave `ExcelAddInVersion` out of envelopes. */
  omitExcelAddInVersion: boolean;
  /** Serve the recorded bodies of `test/fixtures/eia-recorded/` for matching requests (docs/eia-api.md §15.6). */
  fixtureReplay: boolean;
  /** gzip level when the client accepts gzip (default 1). */
  gzipLevel: number;
  /** JSONL request log file, in addition to the in-memory log (default null). */
  requestLogPath: string | null;
  /** Data quirk rates (defaults in `DEFAULT_QUIRKS`). */
  quirks: Partial<QuirkRates>;
  /**
   * The bulk file (`/bulk/EBA.zip`) carries only the series these respondents report (respondent / fromba /
   * parent); null (default) = every series, as EIA's file does. Tests use a few to keep the file small.
   */
  bulkRespondents: string[] | null;
  /**
   * Perturb the series universe (perturb.ts): extra and missing fuels per respondent, respondents that start or
   * stop mid-range, decimal values; deterministic in `seed`, rates default to `DEFAULT_PERTURBATION`. null
   * (default) = the table's universe, byte-identical to a simulator without the option.
   */
  perturb: Partial<Perturbation> | null;
}

/** Default quirk rates: realistic but rare, PACW exempt from missing rows. */
export const DEFAULT_QUIRKS: Readonly<QuirkRates> = Object.freeze({
  missingHour: 0.002,
  missingRun: 0.01,
  missingExempt: ['PACW'],
  nullValue: 0.0005,
  negativeDemand: 0.00002,
  zeroDemand: 0.00002,
  spike: 0.0001,
  identicalRun: 0.01,
  publicationLagMaxHours: 48,
  revision: 0.3,
  // Inside the pipeline's default revision horizon (72 h behind the latest published hour, which is lagHours behind
  // now): a unit the pipeline has closed is never revised later.
  revisionHorizonHours: 72,
  revisionIntervalMs: 86_400_000,
  inconsistentTotals: 0.02,
  interchangeAsymmetry: 0.02,
  timestampShift: { respondent: 'ISNE', fromMs: Date.UTC(2021, 2, 1), toMs: Date.UTC(2021, 2, 8), hours: 1 },
  taxonomyChange: true,
  fixedAnomalies: true,
});

/** Options with every default filled in and quirks merged. Built once per server / per pure call. */
export interface ResolvedOptions extends Omit<SimulatorOptions, 'quirks' | 'perturb'> {
  readonly quirks: Readonly<QuirkRates>;
  readonly perturb: Readonly<Perturbation> | null;
}

/** Defaults of every option except quirks. */
export const DEFAULT_OPTIONS: Readonly<Omit<SimulatorOptions, 'quirks'>> = Object.freeze({
  seed: 1,
  keys: null,
  strictKeyInUrl: false,
  nowMs: () => Date.now(),
  clockSpeed: 1,
  lagHours: 2,
  latency: null,
  faults: null,
  budget: { perSecond: 5, perHour: 9000 },
  throttleMode: '429',
  suspendMs: 60_000,
  arrivalJitterMs: 0,
  retryAfterSecs: null,
  warnPlacement: 'root-first',
  warnWhen: 'total>5000',
  compatMode: 'current',
  legacyStatus: false,
  legacyNotFound500: false,
  unstableTies: false,
  legacyUnsortedDefault: false,
  omitExcelAddInVersion: false,
  fixtureReplay: false,
  gzipLevel: 1,
  requestLogPath: null,
  bulkRespondents: null,
  perturb: null,
});

const resolvedCache = new WeakMap<object, ResolvedOptions>();

/** Fill defaults (memoized per options object, so pure helpers called in loops stay cheap). */
export function resolveOptions(opts: Partial<SimulatorOptions> = {}): ResolvedOptions {
  const hit = resolvedCache.get(opts);
  if (hit) return hit;
  const merged: Record<string, unknown> = { ...DEFAULT_OPTIONS };
  for (const [k, v] of Object.entries(opts)) if (v !== undefined) merged[k] = v;
  merged.quirks = Object.freeze({ ...DEFAULT_QUIRKS, ...stripUndefined(opts.quirks ?? {}) });
  merged.perturb = resolvePerturbation(opts.perturb);
  const resolved = Object.freeze(merged) as unknown as ResolvedOptions;
  resolvedCache.set(opts, resolved);
  return resolved;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** The simulated now, epoch ms. */
export function simNow(opts: ResolvedOptions): number {
  return typeof opts.nowMs === 'function' ? opts.nowMs() : opts.nowMs;
}
