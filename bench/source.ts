/**
 * Source benchmark: the default job (PACW, ERCO, CAL, TEX, MISO × demand and generation,
 * 2019-01-01 → 2026-01-01) against the simulator.
 *
 * 1. clean: limiter off → requests sent, rows, rows per request, and the old per-region × series × 45-day plan's
 *    request count for the same job;
 * 2. faults: 10% 5xx, 5% 429 (the simulator's budget set just below the client's), 2% resets, 2% truncated bodies,
 *    1% latency beyond a short client timeout → the same rows (counts per unit and a key checksum) and no 1-s or
 *    3,600-s window of the simulator's request log above the client's budget.
 *
 * `npx tsx bench/source.ts` prints the figures as JSON; `benchSource()` returns them for `npm run bench`.
 */
import { pathToFileURL } from 'node:url';
import type { SourceItem, ApiWorkUnit } from '../src/core/contracts.js';
import { createEiaSource } from '../src/sources/eia/index.js';
import { expectedRequests, planUnits, type Selection } from '../src/sources/eia/planner.js';
import { oldApproachPlan } from './lib/old-plan.js';
import { rowKeyOf } from '../src/sources/eia/query.js';
import { countRows, maxRequestsInWindow, startSimulator, type RequestLogEntry, type SimulatorOptions } from '../src/simulator/index.js';

const REGIONS = ['CAL', 'ERCO', 'MISO', 'PACW', 'TEX'];
/** The default job's selections (demand → region-data type D; generation → fuel-type-data, all fuels). */
export const DEFAULT_JOB: Selection[] = [
  { dataset: 'region-data', facets: { respondent: REGIONS, type: ['D'] } },
  { dataset: 'fuel-type-data', facets: { respondent: REGIONS } },
];
const START = Date.UTC(2019, 0, 1);
const END = Date.UTC(2026, 0, 1);
/** Simulated "now": after the range, so publication lag and revisions never touch it. */
const SIM_NOW = Date.UTC(2026, 1, 1);

/** Per-unit fingerprint: row count and an order-independent checksum of the natural keys. */
type Fingerprint = Map<string, { rows: number; sum: number; xor: number }>;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

interface RunFigures {
  requests: number;
  retries: number;
  retriesByCause: Record<string, number>;
  rows: number;
  rowsPerRequest: number;
  seconds: number;
  rowsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number };
  maxRequestsInAnySecond: number;
  maxRequestsInAnyHour: number;
  duplicateKeys: number;
  unitRestarts: number;
}

/**
 * The simulator in this process (as the pipeline's built-in one runs), on an ephemeral port; its request log
 * holds the arrival times as the server saw them.
 */
async function startSim(opts: Partial<SimulatorOptions>) {
  const apiKey = 'BENCHSOURCEKEY0123456789ABCDEF';
  const sim = await startSimulator({ ...opts, keys: [apiKey] });
  return {
    baseUrl: sim.baseUrl,
    apiKey,
    /** Stop the simulator and return its request log. */
    async stop(): Promise<RequestLogEntry[]> {
      await sim.close();
      return [...sim.requestLog];
    },
  };
}

async function run(units: ApiWorkUnit[], sim: { baseUrl: string; apiKey: string }, cfg: Record<string, unknown>): Promise<{ f: RunFigures; fp: Fingerprint }> {
  const source = createEiaSource({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, ...cfg }, { units });
  const fp: Fingerprint = new Map();
  let duplicateKeys = 0;
  const t0 = performance.now();
  const perUnitKeys = new Map<string, Set<string>>();
  for await (const item of source.read(new AbortController().signal) as AsyncIterable<SourceItem>) {
    if (item.kind === 'unit-restart') {
      fp.delete(item.unit.id);
      perUnitKeys.delete(item.unit.id);
      continue;
    }
    if (item.kind !== 'page') continue;
    const { unit, envelope } = item.page;
    const keyOf = rowKeyOf(unit.dataset);
    const e = fp.get(unit.id) ?? { rows: 0, sum: 0, xor: 0 };
    const keys = perUnitKeys.get(unit.id) ?? new Set<string>();
    for (const row of envelope!.rows) {
      const k = keyOf(row);
      if (keys.has(k)) duplicateKeys++;
      keys.add(k);
      const h = fnv1a(k);
      e.rows++;
      e.sum = (e.sum + h) % 2 ** 48;
      e.xor = (e.xor ^ h) >>> 0;
    }
    fp.set(unit.id, e);
    perUnitKeys.set(unit.id, keys);
  }
  const seconds = (performance.now() - t0) / 1000;
  await source.close();
  const s = source.counters.snapshot();
  return {
    fp,
    f: {
      requests: s.requests,
      retries: s.retries,
      retriesByCause: { ...s.retriesByCause },
      rows: s.rows,
      rowsPerRequest: Math.round(s.rows / s.requests),
      seconds: +seconds.toFixed(2),
      rowsPerSecond: Math.round(s.rows / seconds),
      latencyMs: s.latencyMs,
      maxRequestsInAnySecond: s.maxRequestsInAnySecond,
      maxRequestsInAnyHour: s.maxRequestsInAnyHour,
      duplicateKeys,
      unitRestarts: s.unitRestarts,
    },
  };
}

/** Options of the benchmark. */
export interface SourceBenchOptions {
  /** Run the fault scenario too (default true). */
  faults?: boolean;
  /** Client budget in the fault run, requests per second (default 12: rate-bound, not CPU-bound, so the 429 share is stable). */
  faultRunRequestsPerSecond?: number;
  /** The simulator's own per-second budget in the fault run, below the client's to provoke 429s (default 8.5). */
  faultRunServerPerSecond?: number;
}

/** Run the benchmark and return its figures. */
export async function benchSource(opts: SourceBenchOptions = {}) {
  const units = planUnits(DEFAULT_JOB, START, END);
  const old = oldApproachPlan(DEFAULT_JOB, { startMs: START, endMs: END });
  const plan = {
    units: units.length,
    expectedRequests: expectedRequests(units),
    expectedRows: units.reduce((n, u) => n + u.expectedRows, 0),
    oldPlanRequests: old.length,
    oldPlanLostHoursPerSeries: old.filter((r) => r.respondent === 'PACW' && r.dataset === 'region-data').reduce((n, r) => n + r.lostHours, 0),
  };

  const clean = await startSim({ nowMs: SIM_NOW, budget: null, latency: null, faults: null });
  let a;
  try {
    a = await run(units, clean, { requestsPerHour: null, requestsPerSecond: null, concurrency: 5 });
  } finally {
    await clean.stop();
  }
  const simOpts = { nowMs: SIM_NOW };
  const unitsMatchingCountRows = units.filter((u) => a.fp.get(u.id)?.rows === countRows(u, simOpts)).length;
  const cleanFig = {
    ...a.f,
    unitsMatchingCountRows: `${unitsMatchingCountRows}/${units.length}`,
    oldPlanRequests: old.length,
    fewerRequestsThanOld: +(old.length / a.f.requests).toFixed(2),
  };
  if (opts.faults === false) return { plan, clean: cleanFig };

  const rps = opts.faultRunRequestsPerSecond ?? 12;
  const perHour = 100_000;
  const faulty = await startSim({
    nowMs: SIM_NOW,
    latency: null,
    budget: { perSecond: opts.faultRunServerPerSecond ?? 8.5, perHour },
    faults: { rates: { '500': 0.04, '502': 0.02, '503': 0.02, '504': 0.02, reset: 0.02, truncate: 0.02, latency: 0.01 }, delayMs: 10_000 },
  });
  let b;
  let log: RequestLogEntry[];
  try {
    b = await run(units, faulty, {
      requestsPerSecond: rps,
      requestsPerHour: perHour,
      concurrency: 5,
      headersTimeoutMs: 3000,
      bodyTimeoutMs: 3000,
      retry: { baseDelayMs: 100, maxDelayMs: 2000, maxAttempts: 10 },
    });
  } finally {
    log = await faulty.stop();
  }
  const same =
    a.fp.size === b.fp.size && [...a.fp].every(([id, x]) => {
      const y = b.fp.get(id);
      return !!y && y.rows === x.rows && y.sum === x.sum && y.xor === x.xor;
    });
  const statuses: Record<string, number> = {};
  for (const e of log) statuses[e.fault ?? String(e.status)] = (statuses[e.fault ?? String(e.status)] ?? 0) + 1;
  const serverMax1s = maxRequestsInWindow(log, 1000);
  const serverMax1h = maxRequestsInWindow(log, 3_600_000);
  return {
    plan,
    clean: cleanFig,
    faults: {
      ...b.f,
      serverRequests: log.length,
      serverOutcomes: statuses,
      identicalRowSet: same,
      budget: { requestsPerSecond: rps, requestsPerHour: perHour },
      serverMaxInAnySecond: serverMax1s,
      serverMaxInAnyHour: serverMax1h,
      budgetOverruns: (serverMax1s > rps ? 1 : 0) + (serverMax1h > perHour ? 1 : 0),
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchSource().then((r) => console.log(JSON.stringify(r, null, 2)));
}
