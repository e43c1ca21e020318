/**
 * The run summary: one object stored in `runs` and printed at the end (human text, or one JSON object on stdout
 * with `--json`). Pure.
 */
import type { PipelineConfig } from '../config.js';
import { formatHourStamp } from '../core/time.js';
import type { FlowCounts } from './flow.js';

/** What the source's counters contribute (see sources/eia/counters.ts). */
export interface SourceFigures {
  requests: number;
  retries: number;
  retriesByCause?: Record<string, number>;
  bytes?: number;
  latencyMs?: { p50: number; p95: number; p99: number };
  maxRequestsInAnyHour: number;
  maxRequestsInAnySecond: number;
  throttled?: number;
  limiterMarginMs?: number;
  limiterMarginChanges?: number;
  recordedSends?: number;
}

export interface RunSummary {
  runId: string;
  command: string;
  source: string;
  start: string;
  end: string;
  regions: readonly string[];
  types: readonly string[];
  dataDir: string;
  units: number;
  unitsSkipped: number;
  unitRestarts: number;
  pages: number;
  requests: number;
  retries: number;
  retriesByCause: Record<string, number>;
  rowsReceived: number;
  rowsLoaded: number;
  rowsQuarantined: number;
  rowsDuplicate: number;
  rowsPerRequest: number;
  /** Raw pages + raw manifests (one per unit) + Parquet files written by this run. */
  filesWritten: number;
  bytesReceived: number;
  latencyMs: { p50: number; p95: number; p99: number } | null;
  durationMs: number;
  rowsPerSecond: number;
  requestsPerSecond: number;
  maxRequestsInAnyHour: number;
  maxRequestsInAnySecond: number;
  /** Throttled answers (429, over-limit, key suspended). */
  throttled: number;
  /** The limiter's jitter margin at the end of the run (widened once per throttled answer), ms, and its changes. */
  limiterMarginMs: number;
  limiterMarginChanges: number;
  /** Sends of the key's last hour found in the budget record before or during the run (earlier runs, other processes). */
  recordedSends: number;
  /** Peak resident memory of this process (the pipeline, plus the built-in simulator's worker when used), MB. */
  peakRssMb: number;
  status: 'ok' | 'failed' | 'interrupted';
  error: string | null;
}

export function buildSummary(input: {
  runId: string;
  config: PipelineConfig;
  range: { startMs: number; endMs: number };
  unitsSkipped: number;
  counts: FlowCounts;
  source: SourceFigures | null;
  /** Files the sinks wrote (see `RunSummary.filesWritten`). */
  filesWritten: number;
  durationMs: number;
  status: RunSummary['status'];
  error: string | null;
}): RunSummary {
  const { config, counts, source } = input;
  const secs = Math.max(input.durationMs, 1) / 1000;
  const requests = source?.requests ?? 0;
  return {
    runId: input.runId,
    command: config.command === 'quick' ? `quick:${config.phase}` : config.command,
    source: config.command === 'replay' ? 'raw-archive' : config.source,
    start: formatHourStamp(input.range.startMs),
    end: formatHourStamp(input.range.endMs),
    regions: config.regions,
    types: config.types,
    dataDir: config.dataDir,
    units: counts.units,
    unitsSkipped: input.unitsSkipped,
    unitRestarts: counts.unitRestarts,
    pages: counts.pages,
    requests,
    retries: source?.retries ?? 0,
    retriesByCause: source?.retriesByCause ?? {},
    rowsReceived: counts.rowsReceived,
    rowsLoaded: counts.rowsLoaded,
    rowsQuarantined: counts.rowsQuarantined,
    rowsDuplicate: counts.rowsDuplicate,
    rowsPerRequest: requests ? Math.round(counts.rowsReceived / requests) : 0,
    filesWritten: input.filesWritten,
    bytesReceived: source?.bytes ?? 0,
    latencyMs: source?.latencyMs ?? null,
    durationMs: Math.round(input.durationMs),
    rowsPerSecond: Math.round(counts.rowsReceived / secs),
    requestsPerSecond: +(requests / secs).toFixed(2),
    maxRequestsInAnyHour: source?.maxRequestsInAnyHour ?? 0,
    maxRequestsInAnySecond: source?.maxRequestsInAnySecond ?? 0,
    throttled: source?.throttled ?? 0,
    limiterMarginMs: source?.limiterMarginMs ?? 0,
    limiterMarginChanges: source?.limiterMarginChanges ?? 0,
    recordedSends: source?.recordedSends ?? 0,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    status: input.status,
    error: input.error,
  };
}

/** Print the summary: JSON (one object, one line) or a short human block. */
export function printSummary(s: RunSummary, json: boolean, out: NodeJS.WritableStream): void {
  if (json) {
    out.write(`${JSON.stringify(s)}\n`);
    return;
  }
  const sim = s.source === 'simulator' ? '  (SIMULATED DATA: no EIA_API_KEY was set)' : '';
  out.write(
    [
      `${s.command} ${s.status}: [${s.start}, ${s.end}) ${s.regions.join(',')} × ${s.types.join(',')} — source=${s.source}${sim}`,
      `  units ${s.units} committed (${s.unitsSkipped} already done, ${s.unitRestarts} restarted), pages ${s.pages}`,
      `  rows received ${s.rowsReceived} = loaded ${s.rowsLoaded} + quarantined ${s.rowsQuarantined} + duplicate ${s.rowsDuplicate}`,
      `  requests ${s.requests} (retries ${s.retries}), ${s.rowsPerRequest} rows/request, max ${s.maxRequestsInAnySecond}/s and ${s.maxRequestsInAnyHour}/h`,
      `  throttled answers ${s.throttled}, limiter margin ${s.limiterMarginMs} ms (${s.limiterMarginChanges} change(s)), ${s.recordedSends} earlier send(s) of the key's last hour from the budget record`,
      `  ${(s.durationMs / 1000).toFixed(1)} s, ${s.rowsPerSecond} rows/s, ${s.requestsPerSecond} requests/s, peak RSS ${s.peakRssMb} MB, ${s.filesWritten} files written to ${s.dataDir}`,
    ].join('\n') + '\n',
  );
}
