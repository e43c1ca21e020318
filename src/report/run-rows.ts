/**
 * A `runs` row → `RunRow`: the table's columns plus what the run's summary JSON and arguments add (rows per
 * second, requests, the busiest hour against the hourly budget, throttled answers). Pure. A figure that neither
 * holds is null and the page shows "—": older runs and commands that do not fetch (replay) lack some of them.
 */
import type { RunRow } from './model.js';

/** The query's row (`SQL.runs`). */
export interface RunsQueryRow {
  run_id: string;
  command: string;
  source: string;
  status: string;
  started_ms: number;
  duration_ms: number | null;
  range: string | null;
  regions: string;
  types: string;
  units: number | null;
  rows_received: number | null;
  rows_loaded: number | null;
  rows_quarantined: number | null;
  arguments: string | null;
  summary: string | null;
}

function parseObject(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Throttled (HTTP 429) answers: the summary's own count when it has one (`throttled`, a number or an object with
 * `total`), else the retries whose cause was `ETL_RATE_LIMITED` — every 429 the source gets is retried and
 * counted by cause, so a summary with `retriesByCause` but no such entry had none.
 */
function throttledOf(summary: Record<string, unknown>): number | null {
  const t = summary.throttled;
  if (num(t) !== null) return num(t);
  if (t && typeof t === 'object') {
    const total = num((t as Record<string, unknown>).total);
    if (total !== null) return total;
  }
  const byCause = summary.retriesByCause;
  if (byCause && typeof byCause === 'object') return num((byCause as Record<string, unknown>).ETL_RATE_LIMITED) ?? 0;
  return null;
}

export function toRunRow(r: RunsQueryRow): RunRow {
  const summary = parseObject(r.summary);
  const args = parseObject(r.arguments);
  const list = (s: string) => (s ? s.split(',') : []);
  const fetched = r.source === 'eia' || r.source === 'simulator';
  return {
    runId: r.run_id,
    command: num(summary.command) === null && typeof summary.command === 'string' ? summary.command : r.command,
    source: r.source,
    status: r.status,
    startedMs: r.started_ms,
    durationMs: r.duration_ms,
    range: r.range,
    regions: list(r.regions),
    types: list(r.types),
    units: r.units,
    rowsReceived: r.rows_received,
    rowsLoaded: r.rows_loaded,
    rowsQuarantined: r.rows_quarantined,
    rowsPerSecond: num(summary.rowsPerSecond),
    requests: fetched ? num(summary.requests) : null,
    maxRequestsInAnyHour: fetched ? num(summary.maxRequestsInAnyHour) : null,
    requestsPerHour: fetched ? (num(args.requestsPerHour) ?? num(summary.requestsPerHour)) : null,
    throttled: fetched ? throttledOf(summary) : null,
    error: typeof summary.error === 'string' ? summary.error : null,
  };
}
