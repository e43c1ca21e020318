/**
 * The bench's `universe` section in the report (bench/lib/report.ts): its perturbed run is judged on the
 * rows-per-request floor, both runs join the exactness check, and the text and the doc show both universes.
 */
import { describe, expect, it } from 'vitest';
import type { PipelineRun } from '../../bench/e2e.js';
import { evaluateTargets, renderMarkdown, renderText, type BenchResults } from '../../bench/lib/report.js';
import type { StoreCount } from '../../bench/lib/stores.js';
import type { UniverseBenchResult, UniverseRun } from '../../bench/universe.js';

const store = (rows: number, exact = true): StoreCount => ({ rows, distinctKeys: rows, seriesOff: exact ? 0 : 1, examples: [], exact });

function run(rows: number, requests: number, exact = true): PipelineRun {
  return {
    rows, rowsLoaded: rows, rowsQuarantined: 0, rowsDuplicate: 0, requests, retries: 0, rowsPerRequest: Math.round(rows / requests),
    durationMs: 10_000, rowsPerSecond: rows / 10, wallMs: 11_000, peakRssMb: 200, cpuSec: 12, mainThreadCpuSec: 8, coresBusy: 1.2,
    rowsPerCpuSec: rows / 12, maxRequestsInAnySecond: 50, maxRequestsInAnyHour: requests,
    stores: { truthRows: rows, duckdb: store(rows, exact), parquet: store(rows) },
  };
}

const uRun = (universe: string, rows: number, requests: number, exact = true): UniverseRun =>
  ({ universe, truthRows: rows, rowsKept: rows, minimumRequests: Math.ceil(rows / 5000),
    units: { count: 4, empty: 0, overEstimate: 1, maxOverEstimate: 1.05, pagingRequests: requests - 4 }, run: run(rows, requests, exact) });

function results(universe: UniverseBenchResult): Omit<BenchResults, 'targets'> {
  return {
    generatedAt: '2026-12-05T16:00:00Z', mode: 'quick', durationSec: 60, sectionSec: { universe: 60 }, sectionLoad: { universe: 3 },
    machine: { cores: 2, cpuModel: 'x', node: 'v20', os: 'linux', totalMemGb: 8, loadStart: 3, loadEnd: 3, commit: 'abc', dirtySrcFiles: 0 },
    stages: null, cpuBound: null, apiBound: null, scale: null, profile: null, features: null, universe,
  };
}

const UNIVERSE: UniverseBenchResult = {
  job: '2025-01-01 → 2026-01-01', seed: 1, planned: { units: 4, requests: 84, rows: 411_720 },
  changes: ['ERCO: from 2019-10 stops at 2020-07'], decimalsRate: 0.3,
  table: uRun('table', 411_541, 88), perturbed: uRun('perturbed:1', 344_482, 76), rowsPerRequestRatio: 0.969, single: null, nothingLost: true,
  loadStart: 3.1, loadEnd: 3.3,
};

describe('the universe section of the bench report', () => {
  it('judges the perturbed rows per request on the 4,500 floor and counts both runs in the exactness check', () => {
    const targets = evaluateTargets(results(UNIVERSE));
    const rpr = targets.find((t) => t.target.startsWith('Rows per request, perturbed universe'))!;
    expect(rpr.value).toBe(4533);
    expect(rpr.pass).toBe(true);
    const check = targets.find((t) => t.target.startsWith('Check:'))!;
    expect(check.shown).toBe('2/2 runs');
    expect(check.pass).toBe(true);
  });

  it('reports a loss honestly: a perturbed run whose store is not exact fails the check', () => {
    const lossy = { ...UNIVERSE, perturbed: uRun('perturbed:1', 344_482, 76, false), nothingLost: false };
    const check = evaluateTargets(results(lossy)).find((t) => t.target.startsWith('Check:'))!;
    expect(check.pass).toBe(false);
    expect(check.verdict).toMatch(/universe perturbed:1/);
  });

  it('shows both universes in the text and the doc', () => {
    const r = { ...results(UNIVERSE), targets: evaluateTargets(results(UNIVERSE)) };
    expect(renderText(r)).toMatch(/perturbed ÷ table rows\/request 0\.969; nothing lost: yes/);
    const md = renderMarkdown(r);
    expect(md).toContain('## Planning against an unknown universe');
    expect(md).toMatch(/\| default \| perturbed:1 \| 76 \| 72 \| 69 \| 4,533 \| 344,482 \| 344,482 \| 0 \/ 1 \(×1\.05\) \| exact \| exact \|/);
    expect(md).toContain('ERCO: from 2019-10 stops at 2020-07');
  });
});
