/**
 * `features`: the ML tables from the warehouse (no API call). Builds them (`../features/build.ts`) and prints one
 * summary: rows, splits, files with their sizes, the source, and the build's rows/s (`--json`: one JSON object).
 */
import type { PipelineConfig } from '../../config.js';
import { EtlError } from '../../core/errors.js';
import { formatHourStamp } from '../../core/time.js';
import { buildFeatures, type BuildResult } from '../features/build.js';
import type { RunDeps, RunResult } from '../execute.js';

/** The summary `features` prints. */
export interface FeaturesSummary extends BuildResult {
  command: 'features';
  durationMs: number;
  rowsPerSecond: number;
}

/** Run `features`. Throws `ETL_CONFIG_INVALID` (exit 2, nothing written) for bad flags or an unusable --data-dir/--out. */
export async function runFeatures(config: PipelineConfig, deps: RunDeps): Promise<RunResult> {
  if (!config.features) throw new EtlError('ETL_INTERNAL', 'config', 'features options missing');
  const now = deps.now ?? Date.now;
  const started = now();
  const result = await buildFeatures({
    dataDir: config.dataDir,
    options: config.features,
    startMs: config.startMs,
    endMs: config.endMs,
    warn: (m) => deps.logger.warn(m),
    signal: deps.signal,
  });
  const durationMs = now() - started;
  const summary: FeaturesSummary = {
    command: 'features',
    ...result,
    durationMs,
    rowsPerSecond: durationMs > 0 ? Math.round((result.rows * 1000) / durationMs) : 0,
  };
  if (config.json) {
    deps.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    const lines = [
      `features ok: [${formatHourStamp(result.startMs)}, ${formatHourStamp(result.endMs)}) ${result.respondents.join(',')} — source=${result.source}` +
        (result.source === 'eia' ? '' : ' (SIMULATED DATA)'),
      ...result.splits.map((s) => `  ${s.name.padEnd(10)} ${String(s.rows).padStart(9)} rows  ${s.files.map((f) => `${f.name} (${f.bytes} bytes)`).join(', ')}`),
      `  ${result.rows} rows in ${(durationMs / 1000).toFixed(1)} s (${summary.rowsPerSecond} rows/s) → ${result.out} (+ README.md, dataset_info.json)`,
    ];
    deps.stdout.write(`${lines.join('\n')}\n`);
  }
  return { exitCode: 0, summary: null };
}
