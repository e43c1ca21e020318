/**
 * The bench's store check (bench/lib/stores.ts): exact on a real run, and it sees a row missing from DuckDB, a
 * Parquet file written twice, and a truth that differs from what the stores hold.
 */
import { copyFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { storeExactness } from '../../bench/lib/stores.js';
import { selectionsFor } from '../../src/pipelines/selections.js';
import { seriesTruth } from '../../src/simulator/truth.js';
import { SIM_BASE, jobArgs, startSim, useTempDirs, type Job } from '../reliability/support/setup.js';
import { cliEnv, runInProcess } from '../reliability/support/runs.js';

const JOB: Job = { start: '2024-06-25', end: '2024-07-05', regions: ['PACW', 'ERCO'], types: ['demand', 'generation'] };
const ms = (d: string) => Date.parse(`${d}T00:00:00Z`);
const truthOf = (job: Job) => seriesTruth(selectionsFor(job.types, job.regions), ms(job.start), ms(job.end), SIM_BASE);

const tmp = useTempDirs('eia-stores-');
let dir: string;

beforeAll(async () => {
  dir = await tmp.shared();
  const s = await startSim();
  try {
    const run = await runInProcess(jobArgs(JOB, dir), cliEnv(s.baseUrl));
    expect(run.error).toBeNull();
  } finally {
    await s.close();
  }
});

async function findParquet(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.parquet')) out.push(path.join(e.parentPath, e.name));
  }
  return out;
}

describe('storeExactness', () => {
  it('a clean run: DuckDB and Parquet hold exactly the truth, per series', async () => {
    const truth = truthOf(JOB);
    expect(truth.perSeries.size).toBeGreaterThan(10);
    const r = await storeExactness(dir, truth);
    expect(r.truthRows).toBe(truth.total);
    for (const store of [r.duckdb, r.parquet]) {
      expect(store).toMatchObject({ rows: truth.total, distinctKeys: truth.total, seriesOff: 0, exact: true });
    }
  });

  it('a truth over a longer range than the stores hold: every series is short in both stores', async () => {
    const truth = truthOf({ ...JOB, end: '2024-07-06' });
    const r = await storeExactness(dir, truth);
    expect(r.duckdb.exact).toBe(false);
    expect(r.parquet.exact).toBe(false);
    expect(r.duckdb.seriesOff).toBe(truth.perSeries.size);
    expect(r.duckdb.examples.length).toBeGreaterThan(0);
  });

  it('one row deleted from DuckDB and one Parquet file copied: each store is caught on its own', async () => {
    const i = await DuckDBInstance.create(path.join(dir, 'eia.duckdb'));
    const c = await i.connect();
    await c.run('DELETE FROM observation_facts WHERE rowid = (SELECT min(rowid) FROM observation_facts)');
    c.closeSync();
    i.closeSync();
    const [file] = await findParquet(path.join(dir, 'parquet'));
    await copyFile(file, file.replace(/\.parquet$/, '-copy.parquet'));
    const truth = truthOf(JOB);
    const r = await storeExactness(dir, truth);
    expect(r.duckdb).toMatchObject({ rows: truth.total - 1, distinctKeys: truth.total - 1, seriesOff: 1, exact: false });
    // A file written twice adds rows, not keys: every series still has its keys, yet the store is not exact.
    expect(r.parquet.rows).toBeGreaterThan(truth.total);
    expect(r.parquet).toMatchObject({ distinctKeys: truth.total, seriesOff: 0, exact: false });
  });
});
