/**
 * Start-up recovery of a data directory, run by its single writer right after it takes the lock
 * (`openWarehouse`), before anything is written:
 *
 * 1. Roll forward the commit journals a crash left (`.journal/raw-*.json`, `.journal/parquet-*.json`): those
 *    commits had reached their commit point.
 * 2. Delete the hidden temp files a crash left: journals never written (`.journal/.<sink>-<unit>.json.<tag>.tmp`),
 *    staged raw pages and manifests (`.<page>.json.gz.tmp`), Parquet files of an unfinished commit
 *    (`.part-NNNNNN.parquet.w.tmp`), quarantine files (`.<unit>.jsonl.<tag>.tmp`). None of them belongs to a
 *    committed state, and the units they were for are not in the ledger, so they are fetched again.
 * 3. Empty the spill directories of DuckDB instances that died with the process (`.duckdb-tmp/`,
 *    `eia.duckdb.tmp/`).
 *
 * The sinks also recover their own journals when they start (for use without a warehouse, e.g. in tests).
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { JOURNAL_DIR, recoverJournals, removeTempFiles } from './atomic-files.js';

/** What `recoverDataDir` did. */
export interface RecoveryReport {
  journals: number;
  tempFiles: number;
  spillFiles: number;
}

/** DuckDB spill directories below a data dir (private Parquet instance; the warehouse's default). */
export const SPILL_DIRS = ['.duckdb-tmp', 'eia.duckdb.tmp'] as const;

/** Recover `dataDir` (see the module comment). Call only while holding the data dir's lock. */
export async function recoverDataDir(dataDir: string): Promise<RecoveryReport> {
  const journals = await recoverJournals(dataDir, '');
  let tempFiles = 0;
  for (const sub of [JOURNAL_DIR, 'raw', 'parquet', 'quarantine']) tempFiles += await removeTempFiles(path.join(dataDir, sub));
  let spillFiles = 0;
  for (const d of SPILL_DIRS) {
    const dir = path.join(dataDir, d);
    const names = await readdir(dir).catch(() => [] as string[]);
    spillFiles += names.length;
    await Promise.all(names.map((n) => rm(path.join(dir, n), { recursive: true, force: true })));
  }
  return { journals, tempFiles, spillFiles };
}
