/**
 * Parquet sink: normalized records in hive-style data-time partitions for ML training
 * (`parquet/dataset=<dataset>/year=<YYYY>/part-<NNNNNN>.parquet`, layout in `store/parquet-layout.ts`). The partition
 * keys are in the path only, and `parquet/_common_metadata` holds the files' schema (`file-schema.ts`).
 *
 * - `write` stages the page's records in JS columns (`store/staged-records.ts`); nothing is visible, nothing waits.
 * - `commitUnit` reads the unit's rows through the stage's table function, then for each (dataset, year) it
 *   touches — plus the unit's own year, so rows an earlier copy wrote are found even when this copy has none —
 *   writes new files with DuckDB
 *   `COPY … (FORMAT PARQUET, COMPRESSION ZSTD)`, sorted by (respondent, series, period), without any row whose key
 *   the unit re-delivers or that an earlier copy of the unit wrote. Renames and removals of all partitions go in
 *   one journal (`store/atomic-files.ts`): the unit appears in every partition at once, and no key is ever in two files.
 * - Units commit one at a time (`serial-sink.ts`); `abortUnit` drops the stage; `close` drops everything and, when
 *   the sink opened its own DuckDB instance, closes it.
 *
 * DuckDB: pass `duckdb` (e.g. the warehouse's instance) to share one buffer pool and one record store with the
 * DuckDB sink (a page is staged once for both); otherwise the sink opens an in-memory instance with a small
 * `memory_limit` that spills to `<dataDir>/.duckdb-tmp`.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Sink, UnitEnd } from '../../core/contracts.js';
import { commitJournal, journalPath, recoverJournals } from '../../store/atomic-files.js';
import { ALLOCATOR_FLUSH, MEMORY_LIMIT, THREADS } from '../../store/duckdb/settings.js';
import { PARQUET_JOURNAL_PREFIX } from '../../store/parquet-layout.js';
import { countDuplicates, createRecordStore, openScan, recordStoreFor, stagedRelation, unitRespondents, type RecordStore, type StagedUnit } from '../../store/staged-records.js';
import { serialSink } from '../serial-sink.js';
import { prepareCommonMetadata } from './file-schema.js';
import { preparePartition, type ParquetWriteSettings } from './partition.js';

/** Options of the Parquet sink. */
export interface ParquetSinkOptions {
  dataDir: string;
  /** Shared DuckDB instance (the sink opens its own connection on it). Default: a private in-memory instance. */
  duckdb?: DuckDBInstance;
  /** Column compression (default `zstd`; `snappy` for readers without zstd). */
  compression?: 'zstd' | 'snappy';
  /** A file below this many rows is merged with the next commit's rows (default 65,536). */
  minFileRows?: number;
  /** Row groups hold at least this many rows unless the file is smaller (default 100,000). */
  minRowGroupRows?: number;
  /**
   * The most rows one merged file takes (default 100,000): the merge sorts them with their text columns in one
   * `COPY … ORDER BY`, which at the 64 MB `memory_limit` held ~90k rows and failed at ~180k ("could not allocate
   * block") when a bulk unit (a respondent's year) left the year's files of an API load small (docs/decisions.md).
   */
  maxMergeRows?: number;
  /** `memory_limit` of a private instance (default `MEMORY_LIMIT`, 64 MB). */
  memoryLimit?: string;
  /** `threads` of a private instance (default `THREADS`, 1). */
  threads?: number;
  /** fsync the journal and directories (default true). */
  fsync?: boolean;
}

/** Counts for the run summary. */
export interface ParquetSinkStats {
  unitsCommitted: number;
  filesWritten: number;
  rowsWritten: number;
  duplicatesDropped: number;
}

/** The smallest and largest respondent code a unit's copies can hold (`unitRespondents`), or null: no pruning. */
function respondentRange(unit: UnitEnd['unit'], staged: StagedUnit): readonly [string, string] | null {
  const codes = unitRespondents(unit, staged);
  return codes && codes.length ? [codes[0]!, codes[codes.length - 1]!] : null;
}

/** Create the Parquet sink (see the module comment). */
export function createParquetSink(opts: ParquetSinkOptions): Sink & { stats(): ParquetSinkStats } {
  const settings: ParquetWriteSettings = {
    compression: opts.compression ?? 'zstd',
    minFileRows: opts.minFileRows ?? 65_536,
    minRowGroupRows: opts.minRowGroupRows ?? 100_000,
    maxMergeRows: opts.maxMergeRows ?? 100_000,
  };
  const stats: ParquetSinkStats = { unitsCommitted: 0, filesWritten: 0, rowsWritten: 0, duplicatesDropped: 0 };
  let ownInstance: DuckDBInstance | null = null;
  let conn: DuckDBConnection | null = null;
  const store: RecordStore = opts.duckdb ? recordStoreFor(opts.duckdb) : createRecordStore();
  const holder = store.holder();
  // `parquet/_common_metadata` is (re)written with the first commit of each sink, so it describes what this build
  // writes even over a tree an older build wrote.
  let schemaWritten = false;

  async function init(): Promise<void> {
    await recoverJournals(opts.dataDir, PARQUET_JOURNAL_PREFIX);
    let instance = opts.duckdb;
    if (!instance) {
      ownInstance = instance = await DuckDBInstance.create(':memory:', {
        memory_limit: opts.memoryLimit ?? MEMORY_LIMIT,
        threads: String(opts.threads ?? THREADS),
        temp_directory: path.join(opts.dataDir, '.duckdb-tmp'),
        allocator_bulk_deallocation_flush_threshold: ALLOCATOR_FLUSH,
      });
    }
    conn = await instance.connect();
    store.register(conn);
  }

  async function commit(end: UnitEnd): Promise<void> {
    const { unit } = end;
    const c = conn!;
    const staged = store.seal(holder, unit.id);
    const scan = openScan(staged, { kind: 'enum' });
    const renames: [string, string][] = [];
    const removes: string[] = [];
    let files = 0;
    let rows = 0;
    let duplicates = 0;
    try {
      duplicates = countDuplicates(staged);
      // Every partition the unit has rows in, plus its own (dataset, year): an earlier copy may have rows there.
      const targets = new Map<string, number>([[`${unit.dataset}|${unit.year}`, 0], ...staged.partitions]);
      if (duplicates > 0) {
        const counts = await c.runAndReadAll(
          `SELECT dataset::VARCHAR || '|' || year(timezone('UTC', period)), count(*)::INTEGER FROM ${stagedRelation(scan, duplicates)} GROUP BY 1`,
        );
        for (const k of targets.keys()) targets.set(k, 0);
        for (const [k, n] of counts.getRows()) targets.set(String(k), Number(n));
      }
      const inOne = staged.partitions.size === 1;
      for (const [key, unitRows] of [...targets].sort()) {
        const [dataset, year] = [key.slice(0, key.lastIndexOf('|')), Number(key.slice(key.lastIndexOf('|') + 1))];
        const p = await preparePartition(c, {
          dataDir: opts.dataDir,
          dataset,
          year,
          unitId: unit.id,
          cur: {
            sorted: stagedRelation(scan, duplicates),
            text: stagedRelation(scan, duplicates, true),
            all: inOne && staged.partitions.has(key),
          },
          unitRows,
          periodRange: [Math.min(unit.startMs, staged.minPeriod), Math.max(unit.endMs, staged.maxPeriod)],
          respondentRange: respondentRange(unit, staged),
          settings,
        });
        renames.push(...p.renames);
        removes.push(...p.removes);
        files += p.filesWritten;
        rows += p.rowsWritten;
      }
      const withSchema = !schemaWritten && renames.length > 0;
      if (withSchema) renames.push(await prepareCommonMetadata(c, opts.dataDir, renames[0][0]));
      await commitJournal(journalPath(opts.dataDir, PARQUET_JOURNAL_PREFIX, unit.id), { renames, removes }, opts.fsync ?? true);
      if (withSchema) schemaWritten = true;
    } catch (e) {
      await Promise.all(renames.map(([tmp]) => rm(tmp, { force: true })));
      throw e;
    } finally {
      scan.close();
      store.release(holder, unit.id);
    }
    stats.unitsCommitted++;
    stats.duplicatesDropped += duplicates;
    stats.filesWritten += files;
    stats.rowsWritten += rows;
  }

  const sink = serialSink({
    name: 'parquet',
    init,
    stage: (batch) => store.append(holder, batch.page.unit.id, batch.records),
    commit,
    drop: (unitId) => store.release(holder, unitId),
    shutdown: () => {
      store.releaseAll(holder);
      conn?.closeSync();
      ownInstance?.closeSync();
    },
  });
  return Object.assign(sink, { stats: () => ({ ...stats }) });
}
