/**
 * `runCommand`: the CLI's commands by name, each in its own file under commands/ (fetch: historical, quick and
 * incremental; replay; plan; features; `historical --source bulk` and `--source grid-monitor`; follow runs its own loop). Every command that
 * writes hands its source and sinks to `execute` (execute.ts), which records the run and prints the summary.
 */
import type { PipelineConfig } from '../config.js';
import { createEiaClient, openBudgetRecord } from '../sources/eia/index.js';
import { runBulkHistorical } from './commands/bulk-historical.js';
import { runGridMonitorHistorical } from './commands/grid-monitor-historical.js';
import { runFeatures } from './commands/features.js';
import { BUDGET_HORIZON_MS, runFetch, sourceConfigOf } from './commands/fetch.js';
import { runPlan } from './commands/plan.js';
import { runReplay } from './commands/replay.js';
import { ensureWritableDir, type RunDeps, type RunResult } from './execute.js';
import { resolveRegions } from './regions.js';

export type { RunDeps, RunResult } from './execute.js';

/** Run one CLI command to completion. Throws `EtlError` for user errors (exit 2) and failures (exit 1). */
export async function runCommand(config: PipelineConfig, deps: RunDeps): Promise<RunResult> {
  for (const w of config.warnings) deps.logger.warn(w);
  if (config.command === 'features') return runFeatures(config, deps);
  if (config.command === 'replay') {
    await ensureWritableDir(config.dataDir);
    return runReplay(config, deps);
  }
  // The bulk file is keyless: no key client, no budget record, no request limiter (bulk-historical.ts).
  if (config.input === 'bulk') return runBulkHistorical(config, deps);
  if (config.input === 'grid-monitor') return runGridMonitorHistorical(config, deps);
  // With a key, one client serves the respondent lookup, the frontier and the data pages alike, and its limiter is
  // seeded from the key's budget record (this data directory's earlier runs, or every process sharing
  // --budget-file), so the lookup's request counts like any other. The record is the only file a refused code
  // leaves: it holds that one send.
  const keyRecord = config.source === 'eia' ? openBudgetRecord(config.budgetFile, { horizonMs: BUDGET_HORIZON_MS }) : null;
  const keyClient = keyRecord ? createEiaClient(sourceConfigOf(config, config.baseUrl!, config.apiKey!, deps), { logger: deps.logger, record: keyRecord }) : null;
  try {
    const resolved = await resolveRegions(config, { client: keyClient, logger: deps.logger, signal: deps.signal, now: deps.now ?? Date.now });
    if (config.command === 'plan') return await runPlan(resolved.config, deps);
    return await runFetch(resolved.config, deps, keyClient, resolved.fetched); // checks the directory itself, before the range
  } finally {
    await keyClient?.close();
    await keyRecord?.close().catch((err) => deps.logger.error({ err }, 'closing the budget record failed'));
  }
}
