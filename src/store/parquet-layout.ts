/**
 * Parquet layout and the pure part of a partition commit: which files to keep, rewrite or merge.
 *
 *   <dataDir>/parquet/dataset=<dataset>/year=<YYYY>/part-<NNNNNN>.parquet
 *
 * `year` is the UTC year of `period` (data time). A partition is a set of files, each sorted by
 * (respondent, series, period), with no key in two files. Invariant kept by `planPartition`: at most one file of
 * a partition has fewer than `minFileRows` rows (the tail).
 */
import path from 'node:path';

/** Prefix of the Parquet sink's commit journals in `<dataDir>/.journal` (`atomic-files.ts`). */
export const PARQUET_JOURNAL_PREFIX = 'parquet-';

/** `<dataDir>/parquet`. */
export function parquetRoot(dataDir: string): string {
  return path.join(dataDir, 'parquet');
}

/** Directory of one (dataset, year) partition. */
export function partitionDir(dataDir: string, dataset: string, year: number): string {
  return path.join(parquetRoot(dataDir), `dataset=${dataset}`, `year=${year}`);
}

const PART_RE = /^part-(\d+)\.parquet$/;

/** Sequence number of a part file name, or `undefined` for other names. */
export function partSeq(name: string): number | undefined {
  const m = PART_RE.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Part file name for a sequence number. */
export function partName(seq: number): string {
  return `part-${String(seq).padStart(6, '0')}.parquet`;
}

/** DuckDB's Parquet writer rounds `ROW_GROUP_SIZE` up to whole vectors of this many rows. */
export const VECTOR_ROWS = 2048;

/**
 * `ROW_GROUP_SIZE` for a file of `rows` rows: the most groups such that every group, the last one included, holds
 * ≥ `minGroupRows` rows once DuckDB rounds the size up to whole vectors; one group when the file is smaller.
 */
export function rowGroupSize(rows: number, minGroupRows = 100_000): number {
  const rounded = (n: number) => Math.ceil(n / VECTOR_ROWS) * VECTOR_ROWS;
  for (let g = Math.floor(rows / minGroupRows); g > 1; g--) {
    const size = rounded(Math.ceil(rows / g));
    if (rows - (g - 1) * size >= minGroupRows) return size;
  }
  return Math.max(VECTOR_ROWS, rounded(rows));
}

/** An existing file of the partition, with how many of its rows the commit replaces. */
export interface PartFile {
  readonly name: string;
  readonly rows: number;
  /** Rows whose key the unit re-delivers, or that an earlier copy of the unit wrote. */
  readonly removed: number;
}

/** What to do with a partition. Every file in `rewrite` or `merge` is replaced; `keep` files are untouched. */
export interface PartitionPlan {
  /** Files rewritten alone without their removed rows (still ≥ `minFileRows`). */
  readonly rewrite: readonly PartFile[];
  /** Files whose kept rows join the unit's rows in one new file. */
  readonly merge: readonly PartFile[];
  /** Rows of the merged file (unit rows + kept rows of `merge`); 0 means no merged file. */
  readonly mergedRows: number;
  /** Files dropped with nothing left (all rows removed), a subset of `merge`. */
  readonly emptied: readonly PartFile[];
}

/**
 * Plan a partition commit. Untouched files of ≥ `minFileRows` are kept; touched ones that stay large are
 * rewritten alone (bounded work, no big sort); small files (touched or not) merge with the unit's rows while the
 * merged file stays within `maxMergeRows` (one sort of that many rows must fit the DuckDB instance's memory). A
 * small file past the cap is rewritten alone when the unit touches it, else kept for a later commit to merge.
 */
export function planPartition(files: readonly PartFile[], unitRows: number, minFileRows: number, maxMergeRows = Infinity): PartitionPlan {
  const rewrite: PartFile[] = [];
  const merge: PartFile[] = [];
  const emptied: PartFile[] = [];
  let mergedRows = unitRows;
  // Smallest first, so the cap takes as many small files as it can.
  for (const f of [...files].sort((a, b) => a.rows - a.removed - (b.rows - b.removed) || (a.name < b.name ? -1 : 1))) {
    const kept = f.rows - f.removed;
    if (kept >= minFileRows) {
      if (f.removed > 0) rewrite.push(f);
    } else if (kept === 0 || mergedRows + kept <= maxMergeRows) {
      merge.push(f);
      mergedRows += kept;
      if (kept === 0) emptied.push(f);
    } else if (f.removed > 0) {
      rewrite.push(f);
    }
  }
  const byName = (a: PartFile, b: PartFile) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { rewrite: rewrite.sort(byName), merge: merge.sort(byName), mergedRows, emptied: emptied.sort(byName) };
}
