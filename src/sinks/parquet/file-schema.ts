/**
 * What a Parquet file of the dataset holds, and the schema file written next to the data.
 *
 * The tree follows the Hive convention: `dataset` and `year` are directory names (`dataset=<route>/year=<YYYY>`),
 * never columns inside the files. pyarrow, pandas and Spark refuse a tree whose files repeat a partition key
 * (pyarrow: "Unable to merge: Field dataset has incompatible types: string vs dictionary"), so the files carry
 * every observation column except `dataset`, and `year` (the UTC year of `period`) exists only in the path.
 *
 * Every file is written by DuckDB `COPY` from relations of the same column types, so every file has the same
 * logical schema: UTF-8 strings, `period`/`ingested_at` as TIMESTAMP(isAdjustedToUTC, MICROS), `value` DOUBLE,
 * `flags` INT32, all columns OPTIONAL (DuckDB's writer declares every column nullable). `_common_metadata` at the
 * root of the tree is that schema as a Parquet footer with no row group (the name Spark and pyarrow give it);
 * dataset discovery in pyarrow, pandas, Spark and polars skips names that start with `_`, and a
 * `**\/*.parquet` glob does not match it.
 */
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { OBSERVATION_COLUMNS } from '../../store/staged-records.js';
import { tempPathFor } from '../../store/atomic-files.js';
import { sqlString } from '../../store/sql.js';
import { parquetRoot } from '../../store/parquet-layout.js';

/** Partition keys of the tree, outermost first: directory names only, never columns of a file. */
export const PARTITION_KEYS = ['dataset', 'year'] as const;

/** Columns of every Parquet file, in order: the observation columns without the partition keys. */
export const PARQUET_COLUMNS: readonly string[] = OBSERVATION_COLUMNS.filter((c) => !(PARTITION_KEYS as readonly string[]).includes(c));

/** `PARQUET_COLUMNS` as a SQL select list. */
export const PARQUET_SELECT = PARQUET_COLUMNS.join(', ');

/** Name of the schema file at the root of the tree. */
export const COMMON_METADATA = '_common_metadata';

/** `<dataDir>/parquet/_common_metadata`. */
export function commonMetadataPath(dataDir: string): string {
  return path.join(parquetRoot(dataDir), COMMON_METADATA);
}

/**
 * Write the schema of `dataFile` (a Parquet file this commit wrote) as a zero-row Parquet file to a hidden temp
 * name; returns the [temp, final] rename for the commit's journal. Taking the schema from a written file keeps
 * `_common_metadata` equal to what the files hold, by construction.
 */
export async function prepareCommonMetadata(conn: DuckDBConnection, dataDir: string, dataFile: string): Promise<[string, string]> {
  const final = commonMetadataPath(dataDir);
  const tmp = tempPathFor(final, 'w');
  await conn.run(
    `COPY (SELECT ${PARQUET_SELECT} FROM read_parquet(${sqlString(dataFile)}, hive_partitioning = false) LIMIT 0) ` +
      `TO ${sqlString(tmp)} (FORMAT PARQUET)`,
  );
  return [tmp, final];
}
