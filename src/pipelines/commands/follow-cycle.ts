/**
 * Pure helpers of `follow`: a cycle's figures from its run summary, and whether a failed run only found the
 * warehouse busy (another process holds the data directory's lock or DuckDB's file lock).
 */
import { isEtlError } from '../../core/errors.js';
import type { CycleFigures } from '../follow/metrics.js';
import type { RunResult } from '../execute.js';

/** The retry cause of an over-limit answer (429 or an over-rate-limit body). */
const THROTTLED = 'ETL_RATE_LIMITED';

export interface FollowCycleFigures extends CycleFigures {
  /** Loaded rows whose key was not stored before: summed over cycles, the warehouse's row count. */
  readonly rowsNew: number;
}

/** Figures of a finished run, or zeros with `ok: false` for a failed one. */
export function cycleFigures(r: RunResult | null, durationMs: number): FollowCycleFigures {
  const s = r?.summary;
  if (!s) return { rowsLoaded: 0, rowsNew: 0, rowsQuarantined: 0, rowsRevised: 0, requestsByStatus: {}, throttled: 0, durationMs, ok: false };
  const retries = s.retriesByCause ?? {};
  const retried = Object.values(retries).reduce((a, b) => a + b, 0);
  // Every retried request failed with its cause; the rest were answered and used.
  const requestsByStatus: Record<string, number> = { ok: Math.max(0, s.requests - retried), ...retries };
  return {
    rowsLoaded: s.rowsLoaded,
    rowsNew: s.rowsNew,
    rowsQuarantined: s.rowsQuarantined,
    rowsRevised: s.rowsRevised,
    requestsByStatus,
    throttled: retries[THROTTLED] ?? 0,
    durationMs,
    ok: true,
  };
}

/** True when a run failed only because another process holds the warehouse: wait and retry, never kill. */
export function isWarehouseBusy(e: unknown): boolean {
  if (isEtlError(e, 'ETL_LOCKED')) return true;
  const text = e instanceof Error ? `${e.message} ${String((e as { cause?: unknown }).cause ?? '')}` : String(e);
  return /Could not set lock on file|Conflicting lock is held/i.test(text);
}
