/** replay: rebuild Parquet and DuckDB from the raw archive, with no API request. */
import type { PipelineConfig } from '../../config.js';
import { createParquetSink } from '../../sinks/parquet/sink.js';
import { createQuarantineFilesSink } from '../../sinks/quarantine-files.js';
import { createRawArchiveSource } from '../../sources/raw-archive.js';
import { execute, openLedger, type RunDeps, type RunResult } from '../execute.js';

/** Run replay over the data directory's raw archive (the caller checked the directory is writable). */
export async function runReplay(config: PipelineConfig, deps: RunDeps): Promise<RunResult> {
  const startedAt = (deps.now ?? Date.now)();
  const warehouse = await openLedger(config.dataDir, deps.logger);
  try {
    const source = createRawArchiveSource({ dataDir: config.dataDir });
    const parquet = createParquetSink({ dataDir: config.dataDir, duckdb: warehouse.instance });
    return await execute(config, deps, warehouse, {
      startedAt,
      sourceLabel: 'raw-archive',
      range: { startMs: config.startMs, endMs: config.endMs },
      unitsTotal: await source.countUnits(),
      unitsSkipped: 0,
      source,
      sourceFigures: () => null,
      sinks: [parquet, createQuarantineFilesSink({ dataDir: config.dataDir }), warehouse.sink],
      filesWritten: () => parquet.stats().filesWritten,
    });
  } finally {
    await warehouse.close().catch((err) => deps.logger.error({ err }, 'closing DuckDB failed'));
  }
}
