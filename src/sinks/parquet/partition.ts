/**
 * The IO half of a Parquet partition commit: measure the partition against the unit's rows, write the planned
 * files to hidden temp names with DuckDB `COPY … (FORMAT PARQUET)`, and return the renames/removals for the
 * unit's journal. Nothing becomes visible here; the caller commits the journal.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { tempPathFor } from '../../store/atomic-files.js';
import { sqlString, tsLiteral } from '../../store/sql.js';
import { PARQUET_SELECT } from './file-schema.js';
import { partName, partSeq, partitionDir, planPartition, rowGroupSize, type PartFile } from '../../store/parquet-layout.js';

/** Parquet writer settings. */
export interface ParquetWriteSettings {
  compression: 'zstd' | 'snappy';
  minFileRows: number;
  minRowGroupRows: number;
  /** The most rows a merged file (the unit's rows with small files' kept rows) may hold: one sort of them. */
  maxMergeRows: number;
}

/** What a partition commit prepared: temp → final renames and files to remove, plus counts. */
export interface PreparedPartition {
  renames: [string, string][];
  removes: string[];
  filesWritten: number;
  rowsWritten: number;
}

/** A unit's rows as SQL relations. */
export interface UnitRelations {
  /** Text columns as ENUMs whose order is string order: a sort on them is an integer sort (the fast path). */
  sorted: string;
  /** Text columns as VARCHAR: for unions with existing files and key comparisons. */
  text: string;
  /** Every row of the unit lies in this partition (no filter needed). */
  all: boolean;
}

/** First instant of a UTC year as a TIMESTAMPTZ expression. */
const yearBound = (year: number) => tsLiteral(Date.UTC(year, 0, 1));

function fileList(files: readonly string[]): string {
  return `[${files.map(sqlString).join(', ')}]`;
}

/**
 * A partition's files as they are: no `dataset`/`year` columns (they live in the path, `file-schema.ts`). By name,
 * so a file an older build wrote with a `dataset` column reads alongside the others (and is rewritten without it).
 */
function readFiles(files: readonly string[], extra = ''): string {
  return `read_parquet(${fileList(files)}, hive_partitioning = false, union_by_name = true${extra})`;
}

/**
 * Prepare one (dataset, year) partition for the unit whose rows `cur` gives. Rows of
 * `cur` outside `year`, and rows of earlier copies of the unit (`source_page` starting with `<unitId>-p`), are
 * handled: existing rows with a key in `cur` or from an earlier copy of the unit are removed.
 */
export async function preparePartition(
  conn: DuckDBConnection,
  args: {
    dataDir: string;
    dataset: string;
    year: number;
    unitId: string;
    /** The unit's rows (one per key), as relations with the observation columns (`staged-records.ts`). */
    cur: UnitRelations;
    /** Rows of `cur` in this partition. */
    unitRows: number;
    /**
     * Epoch-ms bounds that hold every period the unit re-delivers and every period an earlier copy of it wrote
     * (its window): files whose period statistics lie outside are not read.
     */
    periodRange: readonly [number, number];
    /**
     * The smallest and largest respondent of the unit's rows and of any earlier copy of it, or null: files whose
     * respondent statistics lie outside are not read either. A partition's files are sorted by respondent, so a
     * bulk unit (one respondent) reads only the files that can hold that respondent; without it, every commit read
     * every file of its year (all respondents share the period range), a cost growing with the partition.
     */
    respondentRange?: readonly [string, string] | null;
    settings: ParquetWriteSettings;
  },
): Promise<PreparedPartition> {
  const { dataDir, dataset, year, unitId, cur, unitRows, periodRange, respondentRange, settings } = args;
  const dir = partitionDir(dataDir, dataset, year);
  await mkdir(dir, { recursive: true });
  const names = await readdir(dir);
  // Leftovers of a commit that crashed before its journal: never visible, safe to delete (one writer).
  await Promise.all(names.filter((n) => n.startsWith('.part-') && n.endsWith('.tmp')).map((n) => rm(path.join(dir, n), { force: true })));
  const parts = names.filter((n) => partSeq(n) !== undefined).sort();
  const full = (n: string) => path.join(dir, n);
  const inYear = `period >= ${yearBound(year)} AND period < ${yearBound(year + 1)}`;
  const prefix = sqlString(`${unitId}-p`);
  const replaced = (p: string) =>
    `(starts_with(${p}.source_page, ${prefix}) OR EXISTS (SELECT 1 FROM ${cur.text} s WHERE s.dataset = ${sqlString(dataset)} ` +
    `AND s.respondent = ${p}.respondent AND s.series = ${p}.series AND s.period = ${p}.period))`;

  let files: PartFile[] = [];
  if (parts.length > 0) {
    const meta = await conn.runAndReadAll(
      `SELECT file_name, num_rows::BIGINT FROM parquet_file_metadata(${fileList(parts.map(full))})`,
    );
    const rowsOf = new Map(meta.getRows().map(([f, n]) => [path.basename(String(f)), Number(n)]));
    // Only files whose period statistics overlap the unit can hold a replaced row (NULL stats: read it), and, when
    // the unit's respondents are known, only files whose respondent statistics overlap them. TRY_CAST: DuckDB does
    // not promise to skip the cast on the respondent rows, whose statistics are not timestamps.
    const byRespondent = respondentRange
      ? ` AND bool_or(path_in_schema = 'respondent' AND (stats_min_value IS NULL OR stats_max_value IS NULL
           OR (stats_max_value >= ${sqlString(respondentRange[0])} AND stats_min_value <= ${sqlString(respondentRange[1])})))`
      : '';
    // A file whose source_page statistics both start with the unit's page prefix holds only an earlier copy's rows
    // (every string between two strings with a common prefix has it; a truncated statistic is a prefix of the true
    // bound, so it proves the same): all its rows go, counted without reading it. A replay meets this on every file
    // the unit wrote before.
    const candidates = (
      await conn.runAndReadAll(
        `SELECT file_name, bool_or(path_in_schema = 'source_page' AND starts_with(stats_min_value, ${prefix})
           AND starts_with(stats_max_value, ${prefix})) AS earlier_copy
         FROM parquet_metadata(${fileList(parts.map(full))}) WHERE path_in_schema IN ('period', 'respondent', 'source_page')
         GROUP BY file_name
         HAVING bool_or(path_in_schema = 'period' AND (stats_min_value IS NULL OR stats_max_value IS NULL
           OR (TRY_CAST(stats_max_value AS TIMESTAMPTZ) >= ${tsLiteral(periodRange[0])}
               AND TRY_CAST(stats_min_value AS TIMESTAMPTZ) <= ${tsLiteral(periodRange[1])})))${byRespondent}`,
      )
    ).getRows().map(([f, earlier]) => ({ file: String(f), earlier: earlier === true }));
    const toRead = candidates.filter((c) => !c.earlier).map((c) => c.file);
    const hit = toRead.length
      ? await conn.runAndReadAll(
          `SELECT filename, count(*)::BIGINT FROM ${readFiles(toRead, ', filename = true')} p
           WHERE ${replaced('p')} GROUP BY filename`,
        )
      : null;
    const removedOf = new Map((hit?.getRows() ?? []).map(([f, n]) => [path.basename(String(f)), Number(n)]));
    for (const c of candidates) if (c.earlier) removedOf.set(path.basename(c.file), rowsOf.get(path.basename(c.file)) ?? 0);
    files = parts.map((name) => ({ name, rows: rowsOf.get(name) ?? 0, removed: removedOf.get(name) ?? 0 }));
  }
  const plan = planPartition(files, unitRows, settings.minFileRows, settings.maxMergeRows);
  let seq = Math.max(0, ...parts.map((n) => partSeq(n)!)) + 1;
  const out: PreparedPartition = { renames: [], removes: [], filesWritten: 0, rowsWritten: 0 };
  const copy = async (select: string, rows: number) => {
    const final = full(partName(seq++));
    const tmp = tempPathFor(final, 'w');
    await conn.run(
      `COPY (${select} ORDER BY respondent, series, period) TO ${sqlString(tmp)} ` +
        `(FORMAT PARQUET, COMPRESSION ${settings.compression.toUpperCase()}, ROW_GROUP_SIZE ${rowGroupSize(rows, settings.minRowGroupRows)})`,
    );
    out.renames.push([tmp, final]);
    out.filesWritten++;
    out.rowsWritten += rows;
  };
  for (const f of plan.rewrite) {
    await copy(`SELECT ${PARQUET_SELECT} FROM ${readFiles([full(f.name)])} p WHERE NOT ${replaced('p')}`, f.rows - f.removed);
    out.removes.push(full(f.name));
  }
  if (plan.mergedRows > 0) {
    const kept = plan.merge.filter((f) => f.rows > f.removed).map((f) => full(f.name));
    const mine = (rel: string) =>
      `SELECT ${PARQUET_SELECT} FROM ${rel}` + (cur.all ? '' : ` WHERE ${inYear} AND dataset::VARCHAR = ${sqlString(dataset)}`);
    if (kept.length === 0) {
      // Only the unit's rows: sort on the ENUM columns (string order as integers).
      await copy(mine(cur.sorted), plan.mergedRows);
    } else {
      await copy(
        `${mine(cur.text)} UNION ALL SELECT ${PARQUET_SELECT} FROM ${readFiles(kept)} p WHERE NOT ${replaced('p')}`,
        plan.mergedRows,
      );
    }
  }
  for (const f of plan.merge) out.removes.push(full(f.name));
  return out;
}
