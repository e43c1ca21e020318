/**
 * Exactness read from the stores: after a pipeline run, what DuckDB and the Parquet tree actually hold, compared
 * series by series with the simulator's ground truth (`seriesTruth`), never with the pipeline's own counters.
 *
 * - DuckDB: rows and DISTINCT natural keys of the `observations` view, per (dataset, respondent, series).
 * - Parquet: rows and distinct keys of `read_parquet` over the whole tree with `hive_partitioning`, so `dataset`
 *   comes from the `dataset=` directory whether or not the files also carry it as a column.
 *
 * A store is exact when it holds no duplicate key and every series holds exactly the truth's rows.
 */
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { truthKey, type SeriesTruth } from '../../src/simulator/truth.js';

/** What one store holds, against the truth. */
export interface StoreCount {
  rows: number;
  distinctKeys: number;
  /** Series whose distinct keys differ from the truth (missing, extra or short), first few as `key: got/want`. */
  seriesOff: number;
  examples: string[];
  /** rows = distinct keys = truth, and every series equal. */
  exact: boolean;
}

/** Both stores of one data directory. */
export interface StoreExactness {
  truthRows: number;
  duckdb: StoreCount;
  parquet: StoreCount;
}

type Groups = Map<string, { rows: number; keys: number }>;

function compare(groups: Groups, truth: SeriesTruth): StoreCount {
  let rows = 0, distinctKeys = 0, seriesOff = 0;
  const examples: string[] = [];
  const off = (k: string, got: number, want: number) => {
    seriesOff++;
    if (examples.length < 5) examples.push(`${k}: ${got}/${want}`);
  };
  for (const [k, g] of groups) {
    rows += g.rows;
    distinctKeys += g.keys;
    const want = truth.perSeries.get(k) ?? 0;
    if (g.keys !== want) off(k, g.keys, want);
  }
  for (const [k, want] of truth.perSeries) if (!groups.has(k)) off(k, 0, want);
  return { rows, distinctKeys, seriesOff, examples, exact: seriesOff === 0 && rows === distinctKeys && distinctKeys === truth.total };
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Count what `dataDir`'s warehouse and Parquet tree hold and compare both with `truth`. */
export async function storeExactness(dataDir: string, truth: SeriesTruth): Promise<StoreExactness> {
  const instance = await DuckDBInstance.create(path.join(dataDir, 'eia.duckdb'), { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  const groups = async (from: string): Promise<Groups> => {
    const reader = await conn.runAndReadAll(
      `SELECT dataset, respondent, series, count(*) AS n, count(DISTINCT period) AS k FROM ${from} GROUP BY ALL`,
    );
    const out: Groups = new Map();
    for (const [d, r, s, n, k] of reader.getRows()) out.set(truthKey(String(d), String(r), String(s)), { rows: Number(n), keys: Number(k) });
    return out;
  };
  try {
    const parquetGlob = path.join(dataDir, 'parquet', '**', '*.parquet');
    // A run that stored no row (a respondent that published nothing in the range) leaves no Parquet file, and
    // read_parquet refuses an empty glob: that tree holds no group.
    const files = Number((await conn.runAndReadAll(`SELECT count(*) FROM glob(${sqlString(parquetGlob)})`)).getRows()[0][0]);
    return {
      truthRows: truth.total,
      duckdb: compare(await groups('observations'), truth),
      parquet: compare(files > 0 ? await groups(`read_parquet(${sqlString(parquetGlob)}, hive_partitioning = true)`) : new Map(), truth),
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
