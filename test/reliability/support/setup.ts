/**
 * Reliability test support: constants, temp dirs, jobs, the simulator's ground truth, simulators.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';
import { DATASET_INFO, type TypeName } from '../../../src/core/catalog.js';
import type { ApiWorkUnit } from '../../../src/core/contracts.js';
import { selectionsFor } from '../../../src/pipelines/selections.js';
import { generateRows, startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../../src/simulator/index.js';
import { planUnits } from '../../../src/sources/eia/planner.js';
import { seriesTruth } from '../../../src/simulator/truth.js';

/** Repository root (test/reliability/support → ../../..). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The key the test simulators accept (40 letters and digits, like an EIA key). */
export const KEY = 'RELIAB1E0123456789abcdefghijKLMNOPQRSTuv';
/** Simulated "now", well after every range used here: no publication lag and no revisions inside the ranges. */
export const SIM_NOW = Date.UTC(2026, 1, 1);
/** Simulator options every reliability test starts from (faults and budget off). */
export const SIM_BASE: Partial<SimulatorOptions> = { seed: 8, keys: [KEY], nowMs: SIM_NOW, latency: null, budget: null, faults: null };

// ───────────────────────────── temp dirs ─────────────────────────────

/**
 * Temp dirs under os.tmpdir(): `dir()` for one test (removed afterEach), `shared()` for a beforeAll fixture
 * (removed afterAll). Call at describe/file level.
 */
export function useTempDirs(prefix = 'eia-rel-'): { dir: () => Promise<string>; shared: () => Promise<string> } {
  const perTest: string[] = [];
  const perFile: string[] = [];
  afterEach(async () => {
    for (const d of perTest.splice(0)) await rm(d, { recursive: true, force: true });
  });
  afterAll(async () => {
    for (const d of perFile.splice(0)) await rm(d, { recursive: true, force: true });
  });
  const make = async (list: string[]) => {
    const d = await mkdtemp(path.join(os.tmpdir(), prefix));
    list.push(d);
    return d;
  };
  return { dir: () => make(perTest), shared: () => make(perFile) };
}

// ───────────────────────────── jobs and ground truth ─────────────────────────────

/** A historical run's selection. */
export interface Job {
  start: string;
  end: string;
  regions: string[];
  types: TypeName[];
}

/** 2 respondents × (demand, generation), across a year boundary: 4 units, 6 pages of ≤ 5,000 rows, 16,800 rows. */
export const SMALL_JOB: Job = { start: '2023-12-01', end: '2024-01-20', regions: ['PACW', 'ERCO'], types: ['demand', 'generation'] };

/** CLI arguments of a historical run of `job` into `dataDir`. */
export function jobArgs(job: Job, dataDir: string, extra: string[] = []): string[] {
  return [
    'historical', '--start', job.start, '--end', job.end, '--regions', job.regions.join(','), '--types', job.types.join(','),
    '--data-dir', dataDir, '--no-progress', ...extra,
  ];
}

const dayMs = (d: string) => Date.parse(`${d}T00:00:00Z`);

/** The units `historical` plans for `job` (same planner, same defaults as the CLI). */
export function plannedUnits(job: Job): ApiWorkUnit[] {
  return planUnits(selectionsFor(job.types, job.regions), dayMs(job.start), dayMs(job.end));
}

/** Natural key of a record: dataset|respondent|series|period(ms). */
export type RowKey = string;

/**
 * The simulator's ground truth for `job`, per selection over its whole [start, end) and independent of the
 * planner's units: rows per dataset (`seriesTruth`: respondent × series × hour presence) and every key → value.
 */
export function groundTruth(job: Job, simOpts: Partial<SimulatorOptions> = SIM_BASE) {
  const selections = selectionsFor(job.types, job.regions);
  const startMs = dayMs(job.start);
  const endMs = dayMs(job.end);
  const perDataset = { ...seriesTruth(selections, startMs, endMs, simOpts).perDataset };
  const rows = new Map<RowKey, number | null>();
  for (const sel of selections) {
    const info = DATASET_INFO[sel.dataset];
    for (const r of generateRows({ dataset: sel.dataset, facets: sel.facets as Record<string, readonly string[]>, startMs, endMs }, simOpts)) {
      const period = Date.parse(`${String(r.period)}:00:00Z`);
      const v = r.value === null || r.value === undefined ? null : Number(r.value);
      rows.set(`${sel.dataset}|${String(r[info.respondentFacet])}|${String(r[info.seriesFacet])}|${period}`, v);
    }
  }
  return { perDataset, rows };
}


/** 3 respondents × (demand, net-generation, generation, interchange) over three months: 6 units, 15 pages, ~70k rows. */
export const MEDIUM_JOB: Job = {
  start: '2023-11-01',
  end: '2024-02-01',
  regions: ['PACW', 'ERCO', 'MISO'],
  types: ['demand', 'net-generation', 'generation', 'interchange'],
};


// ───────────────────────────── simulators ─────────────────────────────

/** Start a simulator with `SIM_BASE` plus `opts`. */
export function startSim(opts: Partial<SimulatorOptions> = {}): Promise<SimulatorHandle> {
  return startSimulator({ ...SIM_BASE, ...opts });
}
