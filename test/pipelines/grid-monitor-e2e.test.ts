/**
 * `historical --source grid-monitor` end to end, offline: the simulator serves its API and its six-month CSVs from
 * the same generator, so over a range crossing a half-year seam the CSV run must store exactly the API run's
 * observations (Parquet and DuckDB), each hour once, with EIA's adjusted figure beside every value; the same files
 * read from a `--grid-monitor-dir` give the same rows; a bad folder is a one-line usage error that writes nothing.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEtlError } from '../../src/core/errors.js';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';
import { runJson, warehouseRows } from '../support/pipeline-run.js';

const KEY = 'GRIDMONTESTKEY0123456789ABCDEFGHIJKLMNO';
const NOW = Date.UTC(2025, 2, 1, 12, 30);
// Crosses the 2019 Jan_Jun | Jul_Dec seam; API v2 serves these hours too.
const RANGE = ['--start', '2019-06-25', '--end', '2019-07-05', '--regions', 'PACW', '--types', 'demand'];
const HOURS = 10 * 24;

let root: string;
let sim: SimulatorHandle;
let folder: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'eia-gridmon-'));
  // One respondent's files (PACW and a neighbour the job does not ask for) keep each file to a few hundred kB.
  sim = await startSimulator({ nowMs: NOW, budget: null, bulkRespondents: ['PACW', 'BPAT'] });
  folder = `${new URL(sim.baseUrl).origin}/gridmonitor/sixMonthFiles/`;
});
afterAll(async () => {
  await sim?.close();
  await rm(root, { recursive: true, force: true });
});

const run = (args: string[], dir: string, env: Record<string, string>) => runJson(args, dir, env, NOW);
const read = warehouseRows;

const OBS = 'SELECT dataset, respondent, series, epoch_ms(period)::DOUBLE, value FROM observations ORDER BY 1, 2, 3, 4';

describe('historical --source grid-monitor (simulator)', () => {
  it('stores exactly the API run\'s hours and values across a seam, in DuckDB and Parquet, with the variants beside them', { timeout: 300_000 }, async () => {
    const apiDir = path.join(root, 'api');
    const gmDir = path.join(root, 'gm');
    await run(['historical', ...RANGE], apiDir, { EIA_API_KEY: KEY, EIA_BASE_URL: sim.baseUrl });
    const before = sim.requestLog.length;
    const summary = await run(['historical', '--source', 'grid-monitor', ...RANGE], gmDir, { EIA_GRID_MONITOR_URL: folder });
    expect(sim.requestLog.length).toBe(before); // no API request: the folder is outside the API's log

    const api = await read(apiDir, OBS);
    const gm = await read(gmDir, OBS);
    expect(api).toHaveLength(HOURS);
    expect(gm).toEqual(api);
    // The seam hours (PDT: 7 of them) were in both files and are loaded once, counted as duplicates.
    expect(summary.rowsDuplicate).toBe(7);
    expect(summary.rowsReceived).toBe(HOURS + 7);

    const parquet = await read(
      gmDir,
      `SELECT dataset, respondent, series, epoch_ms(period)::DOUBLE, value FROM read_parquet('${gmDir}/parquet/**/*.parquet', hive_partitioning = true) ORDER BY 1, 2, 3, 4`,
    );
    expect(parquet).toEqual(api);
    const variants = await read(gmDir, `SELECT count(*), count(adjusted), sum((adjusted IS DISTINCT FROM value)::INT) FROM observation_variants`);
    const exported = await read(gmDir, `SELECT count(*) FROM read_parquet('${gmDir}/variants/**/*.parquet', hive_partitioning = true)`);
    expect(variants[0]![0]).toBe(HOURS);
    expect(variants[0]![1]).toBe(HOURS);
    expect(exported[0]![0]).toBe(HOURS);
    expect(await read(gmDir, 'SELECT source, status FROM runs')).toEqual([['grid-monitor', 'ok']]);

    // The same files from a folder give the same rows.
    const files = path.join(root, 'files');
    await mkdir(files);
    for (const name of ['EIA930_BALANCE_2019_Jan_Jun.csv', 'EIA930_BALANCE_2019_Jul_Dec.csv']) {
      const res = await fetch(new URL(name, folder));
      await writeFile(path.join(files, name), Buffer.from(await res.arrayBuffer()));
    }
    const dirRun = path.join(root, 'dir');
    await run(['historical', '--source', 'grid-monitor', '--grid-monitor-dir', files, ...RANGE], dirRun, {});
    expect(await read(dirRun, OBS)).toEqual(api);
  });

  it('refuses a missing folder, or one without a file the range needs, in one line naming the flag, writing nothing', async () => {
    for (const [dir, why] of [[path.join(root, 'nope'), /--grid-monitor-dir '.*nope' cannot be read \(ENOENT\)/], [root, /--grid-monitor-dir '.*' has no EIA930_BALANCE_2019_Jan_Jun\.csv/]] as const) {
      const data = path.join(root, `data-${path.basename(dir)}`);
      const e = await run(['historical', '--source', 'grid-monitor', '--grid-monitor-dir', dir, ...RANGE], data, {}).catch((x: unknown) => x);
      expect(isEtlError(e, 'ETL_CONFIG_INVALID'), String(e)).toBe(true);
      expect((e as Error).message).toMatch(why);
      expect((e as Error).message).not.toContain('\n');
      expect(existsSync(data)).toBe(false);
    }
  });
});
