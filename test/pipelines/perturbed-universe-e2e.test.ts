/**
 * `historical` against a universe the planner's table does not describe (the simulator's `perturb`, seed 1): over
 * a range where PACW starts publishing (2020-07-01T01, with a fuel the table does not list), ERCO stops
 * (after 2020-07-01T00), CAL never serves its listed WND, TEX serves two unlisted fuels and some series carry
 * 2-decimal values, DuckDB and Parquet must hold exactly the perturbed generator's rows: every key once, every
 * value the Double of the served string, nothing quarantined.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_INFO, type TypeName } from '../../src/core/catalog.js';
import { selectionsFor } from '../../src/pipelines/selections.js';
import { generateRows, startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../src/simulator/index.js';
import { seriesTruth } from '../../src/simulator/truth.js';
import { planUnits } from '../../src/sources/eia/planner.js';
import { runJson, warehouseRows } from '../support/pipeline-run.js';

const KEY = 'PERTURBTESTKEY0123456789ABCDEFGHIJKLMNO';
const NOW = Date.UTC(2026, 1, 1);
const SIM: Partial<SimulatorOptions> = { nowMs: NOW, perturb: { seed: 1 } };
const START = Date.UTC(2020, 4, 15);
const END = Date.UTC(2020, 6, 15);
const REGIONS = ['CAL', 'ERCO', 'PACW', 'TEX'];
const TYPES: TypeName[] = ['demand', 'generation', 'interchange'];
const JOB = ['historical', '--start', '2020-05-15', '--end', '2020-07-15', '--regions', REGIONS.join(','), '--types', TYPES.join(',')];

let root: string;
let sim: SimulatorHandle;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'eia-perturbed-'));
  sim = await startSimulator({ ...SIM, budget: null });
});
afterAll(async () => {
  await sim?.close();
  await rm(root, { recursive: true, force: true });
});

const run = (args: string[], dir: string) =>
  runJson([...args, '--requests-per-second', '50'], dir, { EIA_API_KEY: KEY, EIA_BASE_URL: sim.baseUrl }, NOW);
const read = warehouseRows;

/** The perturbed generator's rows of a job: `dataset|respondent|series|epoch ms` → value (Double of the string). */
function truthRows(types = TYPES, regions = REGIONS, startMs = START, endMs = END): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const sel of selectionsFor(types, regions)) {
    const info = DATASET_INFO[sel.dataset];
    for (const r of generateRows({ dataset: sel.dataset, facets: sel.facets, startMs, endMs }, SIM)) {
      const k = `${sel.dataset}|${String(r[info.respondentFacet])}|${String(r[info.seriesFacet])}|${Date.parse(`${String(r.period)}:00:00Z`)}`;
      out.set(k, r.value === null ? null : Number(r.value));
    }
  }
  return out;
}

const cols = 'dataset, respondent, series, epoch_ms(period)::DOUBLE, value';
/** Keys or values of `want` that a store lacks or holds differently (Object.is: the Double of the string, null for null). */
const offFrom = (want: Map<string, number | null>, got: Map<string, number | null>) =>
  [...want].filter(([k, v]) => !got.has(k) || !Object.is(got.get(k), v)).slice(0, 5);

const asMap = (rows: unknown[][]) => new Map(rows.map(([d, r, s, p, v]) => [`${String(d)}|${String(r)}|${String(s)}|${Number(p)}`, v === null ? null : Number(v)]));

describe('historical against a perturbed universe (simulator perturb seed 1)', () => {
  it('stores exactly the perturbed ground truth in DuckDB and Parquet: keys once, decimal values exact, nothing quarantined', { timeout: 300_000 }, async () => {
    const dir = path.join(root, 'data');
    const summary = await run(JOB, dir);
    const want = truthRows();
    // The per-series truth (truth.ts, over the whole range) agrees with the enumeration, and the job is perturbed.
    const t = seriesTruth(selectionsFor(TYPES, REGIONS), START, END, SIM);
    expect(t.total).toBe(want.size);
    expect(want.size).toBeGreaterThan(30_000);
    expect(want.has(`fuel-type-data|PACW|OES|${Date.UTC(2020, 6, 1, 1)}`)).toBe(true);
    expect(want.has(`fuel-type-data|PACW|OES|${Date.UTC(2020, 6, 1, 0)}`)).toBe(false);
    expect(want.has(`region-data|ERCO|D|${Date.UTC(2020, 6, 1, 0)}`)).toBe(true);
    expect(want.has(`region-data|ERCO|D|${Date.UTC(2020, 6, 1, 1)}`)).toBe(false);
    expect([...want.keys()].some((k) => k.startsWith('fuel-type-data|CAL|WND|'))).toBe(false);
    const decimals = [...want.values()].filter((v) => v !== null && !Number.isInteger(v));
    expect(decimals.length).toBeGreaterThan(1000);

    expect(summary.status).toBe('ok');
    expect(summary.rowsReceived).toBe(want.size);
    expect(summary.rowsLoaded).toBe(want.size);
    expect(summary.rowsQuarantined).toBe(0);
    expect(summary.rowsDuplicate).toBe(0);

    const duck = await read(dir, `SELECT ${cols} FROM observations`);
    const parquet = await read(dir, `SELECT ${cols} FROM read_parquet('${dir}/parquet/**/*.parquet', hive_partitioning = true)`);
    for (const [name, rows] of [['duckdb', duck], ['parquet', parquet]] as const) {
      const got = asMap(rows);
      expect(rows.length, `${name} rows`).toBe(want.size);
      expect(got.size, `${name} distinct keys`).toBe(want.size);
      expect(offFrom(want, got), `${name} keys/values off`).toEqual([]);
    }
    const quarantined = await read(dir, 'SELECT count(*) FROM quarantine');
    expect(quarantined[0][0]).toBe(0);
  });

  it('pages through a unit holding more rows than the planner estimated (TEX serves two fuels its table does not list)', { timeout: 300_000 }, async () => {
    const dir = path.join(root, 'tex');
    const [start, end] = [Date.UTC(2021, 0, 1), Date.UTC(2021, 2, 1)];
    const units = planUnits(selectionsFor(['generation'], ['TEX']), start, end);
    expect(units).toHaveLength(1);
    const want = truthRows(['generation'], ['TEX'], start, end);
    // The table expects 9 fuels; the perturbed TEX serves 11 (OES and GEO): more pages than planned, all read.
    expect(want.size).toBeGreaterThan(units[0].expectedRows * 1.15);
    expect(Math.ceil(want.size / 5000)).toBeGreaterThan(Math.ceil(units[0].expectedRows / 5000));
    const before = sim.requestLog.length;
    const summary = await run(['historical', '--start', '2021-01-01', '--end', '2021-03-01', '--regions', 'TEX', '--types', 'generation'], dir);
    expect(summary.rowsLoaded).toBe(want.size);
    expect(summary.rowsQuarantined).toBe(0);
    const dataRequests = sim.requestLog.slice(before).filter((e) => /\/data\/?$/.test(e.path)).length;
    expect(dataRequests).toBe(Math.ceil(want.size / 5000));
    for (const from of ['observations', `read_parquet('${dir}/parquet/**/*.parquet', hive_partitioning = true)`]) {
      const rows = await read(dir, `SELECT ${cols} FROM ${from}`);
      expect(rows).toHaveLength(want.size);
      expect(offFrom(want, asMap(rows)), from).toEqual([]);
    }
  });
});
