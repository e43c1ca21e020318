/**
 * The Parquet tree through the Python readers' default calls: pandas.read_parquet(dir), pyarrow.parquet.read_table
 * (dir), pyarrow.dataset.dataset(dir, partitioning="hive") and polars.scan_parquet(dir/**\/*.parquet,
 * hive_partitioning=True). They are not dependencies of the project: without python3 + pyarrow the test is
 * SKIPPED with a warning, and a reader whose module is missing is reported as skipped.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createParquetSink } from '../../../src/sinks/parquet/sink.js';
import { fixtureBatch, fixtureRecords, fixtureUnit, useTempDir, writeUnit } from '../../support/sink-contract.js';

const probe = spawnSync('python3', ['-c', 'import pyarrow'], { encoding: 'utf8' });
const havePyarrow = probe.status === 0;
if (!havePyarrow) {
  console.warn('\n*** SKIPPED: python3 with pyarrow not found; the Python Parquet readers were NOT checked (pip install pandas pyarrow polars) ***\n');
}

const SCRIPT = `
import json, sys
d = sys.argv[1]
out = {}
def run(name, fn):
    try:
        out[name] = fn()
    except ModuleNotFoundError as e:
        out[name] = {"skipped": str(e)}
    except Exception as e:
        out[name] = {"error": type(e).__name__ + ": " + str(e)[:300]}
def pandas_():
    import pandas as pd
    df = pd.read_parquet(d)
    return {"rows": len(df), "columns": list(df.columns), "datasets": sorted(map(str, df["dataset"].unique())), "years": sorted(int(y) for y in df["year"].unique()), "period_tz": str(df["period"].dt.tz)}
def read_table():
    import pyarrow.parquet as pq
    t = pq.read_table(d)
    return {"rows": t.num_rows, "columns": t.schema.names, "period": str(t.schema.field("period").type)}
def dataset():
    import pyarrow.dataset as ds
    t = ds.dataset(d, partitioning="hive").to_table()
    return {"rows": t.num_rows, "columns": t.schema.names}
def polars_():
    import polars as pl
    lf = pl.scan_parquet(d + "/**/*.parquet", hive_partitioning=True)
    return {"rows": lf.select(pl.len()).collect().item(), "columns": list(lf.collect_schema().names())}
run("pandas.read_parquet", pandas_)
run("pyarrow.parquet.read_table", read_table)
run("pyarrow.dataset.dataset", dataset)
run("polars.scan_parquet", polars_)
print(json.dumps(out))
`;

describe.skipIf(!havePyarrow)('parquet tree through the Python readers', () => {
  const dataDir = useTempDir('eia-py-');

  it('each reader loads every row with dataset and year as columns once', async () => {
    const sink = createParquetSink({ dataDir: dataDir(), fsync: false, minFileRows: 20 });
    let rows = 0;
    // Two datasets; a unit across New Year (two years); a merge of small files.
    const boundary = { ...fixtureUnit(0), id: 'region-data-2024-b', startMs: Date.UTC(2023, 11, 31, 20) };
    for (const [unit, n] of [[boundary, 40], [fixtureUnit(3), 12], [fixtureUnit(4), 12], [fixtureUnit(5, { dataset: 'fuel-type-data' }), 30]] as const) {
      await writeUnit(sink, [fixtureBatch(unit, 0, fixtureRecords(unit, 0, n))]);
      rows += n;
    }
    await sink.close();
    const r = spawnSync('python3', ['-c', SCRIPT, path.join(dataDir(), 'parquet')], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as Record<string, { rows?: number; columns?: string[]; skipped?: string; error?: string; [k: string]: unknown }>;
    for (const [reader, res] of Object.entries(got)) {
      if (res.skipped) {
        console.warn(`*** ${reader} SKIPPED: ${res.skipped} ***`);
        continue;
      }
      expect(res.error, reader).toBeUndefined();
      expect(res.rows, reader).toBe(rows);
      expect(res.columns!.filter((c) => c === 'dataset' || c === 'year'), reader).toEqual(['dataset', 'year']);
      expect(res.columns, reader).toContain('period');
    }
    expect(got['pyarrow.parquet.read_table'].period).toBe('timestamp[us, tz=UTC]');
    if (!got['pandas.read_parquet'].skipped) {
      expect(got['pandas.read_parquet']).toMatchObject({ datasets: ['fuel-type-data', 'region-data'], years: [2023, 2024], period_tz: 'UTC' });
    }
  }, 180_000);
});
