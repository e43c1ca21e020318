/** plan against the ledger: done / open / to fetch / not published yet, and the resume command. */
import { describe, expect, it } from 'vitest';
import { parseCli, type PipelineConfig } from '../../../src/config.js';
import type { WorkUnit } from '../../../src/core/contracts.js';
import { HOUR_MS } from '../../../src/core/time.js';
import { resumeCommand, splitByLedger } from '../../../src/pipelines/commands/plan-ledger.js';
import type { LedgerUnit } from '../../../src/store/duckdb/ledger.js';

const H = HOUR_MS;
const NOW = Date.UTC(2026, 11, 4, 17, 30);

const unit = (id: string, startMs: number, endMs: number): WorkUnit => ({
  id, dataset: 'region-data', facets: { respondent: ['PACW'], type: ['D'] }, startMs, endMs, year: 2026, expectedRows: (endMs - startMs) / H,
});
const entry = (u: WorkUnit, open: boolean, pages: number, rows: number): LedgerUnit => ({
  id: u.id, dataset: u.dataset, facets: u.facets, startMs: u.startMs, endMs: u.endMs, pages, rows, open, frontierMs: null,
});

function config(args: string[]): PipelineConfig {
  const r = parseCli(['plan', ...args], {});
  if (r.kind !== 'run') throw new Error('expected a run');
  return r.config;
}

describe('splitByLedger', () => {
  it('splits planned units into done, open, to fetch and not published yet', () => {
    const a = unit('a', Date.UTC(2026, 0, 1), Date.UTC(2026, 6, 1));
    const b = unit('b', Date.UTC(2026, 6, 1), Date.UTC(2027, 0, 1));
    const c = unit('c', Date.UTC(2025, 0, 1), Date.UTC(2026, 0, 1));
    const d = unit('d', Date.UTC(2027, 0, 1), Date.UTC(2027, 6, 1));
    const ledger = new Map([
      ['a', entry(a, false, 3, 12_000)],
      ['b', entry(b, true, 2, 8_000)],
      ['zzz', entry(unit('zzz', 0, H), false, 9, 9)], // a unit of another job: not counted
    ]);
    const s = splitByLedger([c, a, b, d], ledger, NOW);
    expect([s.done, s.open, s.todo, s.later].map((us) => us.map((u) => u.id))).toEqual([['a'], ['b'], ['c'], ['d']]);
    expect([s.doneRequests, s.doneRows]).toEqual([3, 12_000]);
  });
});

describe('resumeCommand', () => {
  it('repeats the job (range, regions, types) and every option the user changed', () => {
    const cmd = resumeCommand(config(['--start', '2026-11-24', '--end', '2027-01-03T05', '--regions', 'PACW,ERCO', '--types', 'demand',
      '--data-dir', 'out/x y', '--concurrency', '3', '--revision-horizon-hours', '48']));
    expect(cmd).toBe(
      "npm run pipeline historical -- --start 2026-11-24 --end 2027-01-03T05 --regions PACW,ERCO --types demand --data-dir 'out/x y' --concurrency 3 --revision-horizon-hours 48",
    );
  });

  it('names the default job explicitly and leaves default options out', () => {
    expect(resumeCommand(config([]))).toBe(
      'npm run pipeline historical -- --start 2019-01-01 --end 2026-01-01 --regions PACW,ERCO,CAL,TEX,MISO --types demand,generation',
    );
  });
});
