/**
 * What the EIA source counts: requests (every attempt, retries and probes included), retries by cause, rows,
 * bytes, latency percentiles, and the budget as the client itself saw it (max requests in any 1 s and any
 * 3,600 s window of its own send log). `snapshot()` is what the lead prints in the run summary.
 */
import { maxInAnyWindow } from '../../core/windows.js';

/** A point-in-time copy of the counters. */
export interface SourceCountersSnapshot {
  /** Requests sent (attempts), probes and retries included. */
  readonly requests: number;
  /** Attempts that were retries. */
  readonly retries: number;
  /** Retries per cause (`EtlError` code; `ETL_KEY_SUSPENDED` for a 403 after success). */
  readonly retriesByCause: Readonly<Record<string, number>>;
  /** `length=1` probes sent (included in `requests`). */
  readonly probes: number;
  /** Pages accepted (delivered downstream). */
  readonly pages: number;
  /** Rows in accepted pages. */
  readonly rows: number;
  /** Bytes received on the wire, every response (compressed size when gzipped). */
  readonly bytes: number;
  /** Response latency percentiles over every complete response, ms (0 when none). */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number };
  /** rows / requests (0 when no request). */
  readonly rowsPerRequest: number;
  /** Units restarted after a paging mismatch. */
  readonly unitRestarts: number;
  /** Requests started in the current rolling hour (from the shared limiter when there is one). */
  readonly budgetUsed: number;
  /** Most requests this client started in any 1-s window. */
  readonly maxRequestsInAnySecond: number;
  /** Most requests this client started in any 3,600-s window. */
  readonly maxRequestsInAnyHour: number;
  /** Throttled answers: 429 / over-limit / key suspended. */
  readonly throttled: number;
  /** The limiter's margin at the end (widened once per throttled answer), ms, and how often it changed. */
  readonly limiterMarginMs: number;
  readonly limiterMarginChanges: number;
  /** Sends found in the budget record (earlier runs, other processes sharing the key). */
  readonly recordedSends: number;
  /** Until when the limiter holds every start (epoch ms; 0 = never paused). */
  readonly pausedUntil: number;
}

/** What the counters read from the shared limiter. */
interface LimiterView {
  budgetUsed(): number;
  pausedUntil(): number;
  stats(): { marginMs: number; marginChanges: number; recordedSends: number };
}

/** Mutable counters (one per source/client). */
export interface SourceCounters {
  /**
   * A request was granted at `atMs` (epoch ms). Returns a function to call when its headers actually went out:
   * its time in the send log moves there.
   */
  recordSend(atMs: number, probe?: boolean): (sentAtMs: number) => void;
  /** A complete response arrived (any status). */
  recordResponse(latencyMs: number, wireBytes: number): void;
  recordRetry(cause: string): void;
  recordThrottled(): void;
  recordPage(rows: number): void;
  recordRestart(): void;
  snapshot(): SourceCountersSnapshot;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Create counters; `budgetUsed` reads the shared limiter (default: this client's sends in the last hour). */
export function createCounters(opts: { limiter?: LimiterView; now?: () => number } = {}): SourceCounters {
  const sends: number[] = [];
  const latencies: number[] = [];
  const byCause: Record<string, number> = {};
  let retries = 0, probes = 0, pages = 0, rows = 0, bytes = 0, restarts = 0, throttled = 0;
  const now = opts.now ?? Date.now;
  return {
    recordSend(atMs, probe = false) {
      const i = sends.push(atMs) - 1;
      if (probe) probes++;
      return (sentAtMs) => {
        sends[i] = Math.max(sends[i], sentAtMs);
      };
    },
    recordResponse(latencyMs, wireBytes) {
      latencies.push(latencyMs);
      bytes += wireBytes;
    },
    recordRetry(cause) {
      retries++;
      byCause[cause] = (byCause[cause] ?? 0) + 1;
    },
    recordThrottled() {
      throttled++;
    },
    recordPage(n) {
      pages++;
      rows += n;
    },
    recordRestart() {
      restarts++;
    },
    snapshot() {
      const sorted = [...latencies].sort((a, b) => a - b);
      const t = now();
      const lim = opts.limiter?.stats();
      return {
        requests: sends.length,
        retries,
        retriesByCause: { ...byCause },
        probes,
        pages,
        rows,
        bytes,
        latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) },
        rowsPerRequest: sends.length ? Math.round(rows / sends.length) : 0,
        unitRestarts: restarts,
        budgetUsed: opts.limiter ? opts.limiter.budgetUsed() : sends.filter((s) => s > t - 3_600_000).length,
        maxRequestsInAnySecond: maxInAnyWindow(sends, 1000),
        maxRequestsInAnyHour: maxInAnyWindow(sends, 3_600_000),
        throttled,
        limiterMarginMs: lim?.marginMs ?? 0,
        limiterMarginChanges: lim?.marginChanges ?? 0,
        recordedSends: lim?.recordedSends ?? 0,
        pausedUntil: opts.limiter?.pausedUntil() ?? 0,
      };
    },
  };
}
