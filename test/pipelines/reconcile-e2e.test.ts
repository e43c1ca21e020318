/**
 * Reconciliation end to end, offline: the API's copy of a range is loaded first, then the same range from a bulk
 * form into the same data directory. Every key the bulk load meets is recorded in `source_copies` with both values
 * before the newer replaces the older, equal or not; the views count, list and settle them.
 *
 * The simulator serves all three forms from one generator, so its copies agree: any difference in these tests is
 * one the test made itself, by changing stored API values by a known amount before the bulk load (what an EIA
 * revision between the two downloads looks like). The expected figures are counted from the generator's hours and
 * the changes made, never from the views under test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';
import { runJson, warehouseRows } from '../support/pipeline-run.js';

const KEY = 'RECONCILETESTKEY0123456789ABCDEFGHIJKLM';
const NOW = Date.UTC(2025, 2, 1, 12, 30);
const RANGE = ['--start', '2019-06-25', '--end', '2019-07-05', '--regions', 'PACW', '--types', 'demand'];
const HOURS = 10 * 24;

let root: string;
let sim: SimulatorHandle;
let origin: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'eia-reconcile-'));
  sim = await startSimulator({ nowMs: NOW, budget: null, bulkRespondents: ['PACW', 'BPAT'] });
  origin = new URL(sim.baseUrl).origin;
});
afterAll(async () => {
  await sim?.close();
  await rm(root, { recursive: true, force: true });
});

const run = (args: string[], dir: string, env: Record<string, string>) => runJson(args, dir, env, NOW);
const sql = warehouseRows;

const OBS = 'SELECT epoch_ms(period)::DOUBLE, value FROM observations ORDER BY 1';
/** Stored API values moved by a known amount before the bulk load: every 24th hour, +7.5 MWh. */
const CHANGED = 'epoch(period)::BIGINT % 86400 = 3600';
const CHANGED_HOURS = 10;

describe('reconciliation of the API and the bulk forms (simulator)', () => {
  it('API then six-month CSVs: every key compared, the changed hours listed with their difference, the CSV column settled', { timeout: 300_000 }, async () => {
    const dir = path.join(root, 'api-gm');
    await run(['historical', ...RANGE], dir, { EIA_API_KEY: KEY, EIA_BASE_URL: sim.baseUrl });
    const api = await sql(dir, OBS);
    expect(api).toHaveLength(HOURS);
    await sql(dir, `UPDATE observation_facts SET value = value + 7.5 WHERE ${CHANGED}`);

    const summary = await run(['historical', '--source', 'grid-monitor', ...RANGE], dir, { EIA_GRID_MONITOR_URL: `${origin}/gridmonitor/sixMonthFiles/` });
    expect(summary.rowsLoaded).toBe(HOURS);
    // observations now hold the CSV's values, which are the generator's (the API's before the change).
    expect(await sql(dir, OBS)).toEqual(api);

    // Every key met once, both values kept.
    expect(await sql(dir, `SELECT stored_source, loaded_source, count(*) FROM source_copies GROUP BY ALL`)).toEqual([['api', 'grid-monitor', HOURS]]);
    expect(await sql(dir, `SELECT a_source, b_source, dataset, series, keys, equal, different, max_abs_difference FROM reconciliation`)).toEqual([
      ['api', 'grid-monitor', 'region-data', 'D', HOURS, HOURS - CHANGED_HOURS, CHANGED_HOURS, 7.5],
    ]);
    const diffs = await sql(dir, `SELECT epoch_ms(period)::DOUBLE, a_value, b_value, difference FROM copy_differences ORDER BY 1`);
    expect(diffs).toHaveLength(CHANGED_HOURS);
    for (const [ms, a, b, d] of diffs as [number, number, number, number][]) {
      expect(ms % 86_400_000).toBe(3_600_000);
      expect(a).toBe((api.find((r) => r[0] === ms)![1] as number) + 7.5);
      expect(b).toBe(api.find((r) => r[0] === ms)![1]);
      expect(d).toBe(-7.5);
    }
    // The changed values are also revisions of their keys, with the CSV unit that replaced them.
    expect(await sql(dir, `SELECT count(*), count(*) FILTER (WHERE starts_with(unit_id, 'gm-')) FROM revisions`)).toEqual([[CHANGED_HOURS, CHANGED_HOURS]]);

    // Settling the column: the API's (unchanged) hours equal the reported figure; adjusted tells them apart only
    // where EIA adjusted the hour. Count those hours from the variants themselves.
    const [[adjustedHours, adjustedOnChanged]] = (await sql(
      dir,
      `SELECT count(*) FILTER (WHERE adjusted IS DISTINCT FROM value), count(*) FILTER (WHERE adjusted IS DISTINCT FROM value AND ${CHANGED})
       FROM observation_variants`,
    )) as [[number, number]];
    const [cols] = await sql(
      dir,
      `SELECT keys, api_equals_reported, api_equals_adjusted, hours_adjusted_differs, differs_api_equals_reported, api_value_is FROM reconciliation_columns`,
    );
    expect(cols).toEqual([
      HOURS,
      HOURS - CHANGED_HOURS,
      HOURS - CHANGED_HOURS - adjustedHours + adjustedOnChanged,
      adjustedHours,
      adjustedHours - adjustedOnChanged,
      // Only the hours EIA adjusted decide; a changed one among them equals neither column.
      adjustedHours === 0 ? 'undecided (adjusted = reported in every hour compared)' : adjustedOnChanged === 0 ? 'reported' : 'mixed',
    ]);
    console.log(`reconcile e2e: ${adjustedHours} adjusted hour(s), ${adjustedOnChanged} of them changed`);

    // The verdict itself, on hours made to tell the columns apart: EIA "adjusts" 5 unchanged hours by +3 MWh.
    const ADJUSTED = `epoch(period)::BIGINT % 86400 = 7200`;
    await sql(dir, `UPDATE bulk_variants SET adjusted = adjusted + 3 WHERE ${ADJUSTED} AND period < TIMESTAMPTZ '2019-06-30 00:00:00+00'`);
    const verdict = `SELECT hours_adjusted_differs, differs_api_equals_reported, differs_api_equals_adjusted, api_value_is FROM reconciliation_columns`;
    expect(await sql(dir, verdict)).toEqual([[adjustedHours + 5, adjustedHours - adjustedOnChanged + 5, 0, adjustedOnChanged === 0 ? 'reported' : 'mixed']]);
    // Had the API sent the adjusted figures in those hours, the verdict turns.
    await sql(dir, `UPDATE source_copies SET stored_value = stored_value + 3 WHERE ${ADJUSTED} AND period < TIMESTAMPTZ '2019-06-30 00:00:00+00'`);
    if (adjustedHours === 0) expect(await sql(dir, verdict)).toEqual([[5, 0, 5, 'adjusted']]);
  });

  it('API then EBA.zip: equal copies are counted as equal, nothing differs, observations unchanged', { timeout: 300_000 }, async () => {
    const dir = path.join(root, 'api-eba');
    await run(['historical', ...RANGE], dir, { EIA_API_KEY: KEY, EIA_BASE_URL: sim.baseUrl });
    const api = await sql(dir, OBS);
    await run(['historical', '--source', 'bulk', ...RANGE], dir, { EIA_BULK_URL: `${origin}/bulk/EBA.zip` });
    expect(await sql(dir, OBS)).toEqual(api);
    expect(await sql(dir, `SELECT a_source, b_source, keys, equal, different FROM reconciliation`)).toEqual([['api', 'bulk', HOURS, HOURS, 0]]);
    expect(await sql(dir, `SELECT count(*) FROM copy_differences`)).toEqual([[0]]);
    expect(await sql(dir, `SELECT count(*) FROM revisions`)).toEqual([[0]]);

    // A second load of the same form compares nothing new: the stored rows are already the bulk file's.
    await run(['historical', '--source', 'bulk', '--fresh', ...RANGE], dir, { EIA_BULK_URL: `${origin}/bulk/EBA.zip` });
    expect(await sql(dir, `SELECT count(*) FROM source_copies`)).toEqual([[HOURS]]);
  });
});
