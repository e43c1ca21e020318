/**
 * The run summary: one object stored in `runs` and printed at the end (human text, or one JSON object on stdout
 * with `--json`). Pure.
 */
import type { PipelineConfig } from '../config.js';
import { formatHourStamp } from '../core/time.js';
import type { FlowCounts } from './flow.js';
import { fileRunSource, isSimulatedRunSource } from '../core/provenance.js';

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
  /** Loaded rows by what they did to the warehouse: a key not stored before, a changed value, the same value. */
  rowsNew: number;
  rowsRevised: number;
  rowsUnchanged: number;
  /** Loaded rows whose key another form of the data had stored (API vs bulk files), each kept in `source_copies`. */
  rowsCompared: number;
  /** EIA's latest published hour (the newest of the selected routes) when the run planned, or null (replay). */
  frontier: string | null;
  /** Units committed open (their window reaches within the revision horizon of the frontier): fetched again later. */
  unitsOpen: number;
  /** Planned units with no published hour yet: not fetched; a later run plans them again. */
  unitsLater: number;
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
  frontier?: { latestMs: number; unitsOpen: number; unitsLater: number };
  /** The DuckDB sink's figures: rows loaded, and of them re-delivered keys (`rowsExisting`) and changed values. */
  loads?: { rowsLoaded: number; rowsExisting: number; revisions: number; copies: number };
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
    source:
      config.command === 'replay'
        ? 'raw-archive'
        : config.input === 'bulk'
          ? fileRunSource('bulk', Boolean(config.bulkFile || config.bulkUrl))
          : config.input === 'grid-monitor'
            ? fileRunSource('grid-monitor', Boolean(config.gridMonitorDir || config.gridMonitorUrl))
            : config.source,
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
    rowsNew: input.loads ? input.loads.rowsLoaded - input.loads.rowsExisting : counts.rowsLoaded,
    rowsRevised: input.loads?.revisions ?? 0,
    rowsUnchanged: input.loads ? input.loads.rowsExisting - input.loads.revisions : 0,
    rowsCompared: input.loads?.copies ?? 0,
    frontier: input.frontier ? formatHourStamp(input.frontier.latestMs) : null,
    unitsOpen: input.frontier?.unitsOpen ?? 0,
    unitsLater: input.frontier?.unitsLater ?? 0,
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
  const sim = isSimulatedRunSource(s.source) ? '  (SIMULATED DATA: no EIA_API_KEY was set)' : '';
  const bulk = s.source.startsWith('bulk') || s.source.startsWith('grid-monitor'); // no request, no budget: those lines say nothing
  out.write(
    [
      `${s.command} ${s.status}: [${s.start}, ${s.end}) ${s.regions.join(',')} × ${s.types.join(',')} — source=${s.source}${sim}`,
      `  units ${s.units} committed (${s.unitsSkipped} already done, ${s.unitRestarts} restarted), pages ${s.pages}`,
      ...(s.frontier
        ? [`  EIA's latest published hour ${s.frontier}: ${s.unitsOpen} unit(s) kept open (fetched again by the next run), ${s.unitsLater} not published yet`]
        : []),
      `  rows received ${s.rowsReceived} = loaded ${s.rowsLoaded} + quarantined ${s.rowsQuarantined} + duplicate ${s.rowsDuplicate}`,
      `  rows loaded ${s.rowsLoaded} = new ${s.rowsNew} + revised ${s.rowsRevised} + unchanged ${s.rowsUnchanged}`,
      ...(s.rowsCompared > 0 ? [`  ${s.rowsCompared} row(s) met another form's copy of their key: kept in source_copies (see the reconciliation view)`] : []),
      ...(bulk
        ? [`  no API request: rows from ${s.source.startsWith('grid-monitor') ? "the Grid Monitor's six-month CSVs" : "EIA's bulk file EBA.zip"}`]
        : [
            `  requests ${s.requests} (retries ${s.retries}), ${s.rowsPerRequest} rows/request, max ${s.maxRequestsInAnySecond}/s and ${s.maxRequestsInAnyHour}/h`,
            `  throttled answers ${s.throttled}, limiter margin ${s.limiterMarginMs} ms (${s.limiterMarginChanges} change(s)), ${s.recordedSends} earlier send(s) of the key's last hour from the budget record`,
          ]),
      `  ${(s.durationMs / 1000).toFixed(1)} s, ${s.rowsPerSecond} rows/s, ${s.requestsPerSecond} requests/s, peak RSS ${s.peakRssMb} MB, ${s.filesWritten} files written to ${s.dataDir}`,
    ].join('\n') + '\n',
  );
}
