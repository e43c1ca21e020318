/**
 * Fan-out: one Sink over several, for the flow.
 *
 * - `write` awaits every sink's `write` in parallel: the slowest paces the flow.
 * - `commitUnit` commits the sinks IN ORDER (raw, parquet, quarantine, duckdb last: DuckDB's commit writes the
 *   ledger row, so a unit is done only when every sink before it holds it). The first failure stops the commit:
 *   later sinks are not committed, so the unit is not marked done and is re-fetched on resume.
 * - Any failure rejects with the sink's `EtlError` (`ETL_SINK_WRITE` …) whose message and `details.sink` name
 *   the sink; after a failure the fan-out refuses further writes/commits with the same error (the run stops).
 * - `abortUnit` forwards to every sink (allSettled); `close` closes every sink (allSettled), idempotent, and
 *   rethrows the first close failure.
 * - With `{ background: true }` a unit's commit overlaps the staging of the next unit (see `FanOutOptions`).
 */
import type { PageBatch, Sink, UnitEnd } from '../core/contracts.js';
import { crashPoint } from '../core/crash-points.js';
import { EtlError, isEtlError } from '../core/errors.js';
import { closedError, sinkError } from './errors.js';

/** Tag a sink's failure with its name (EtlErrors keep their code; others become `ETL_SINK_WRITE`). */
function tagged(sink: Sink, op: string, e: unknown): EtlError {
  const prefix = `${sink.name}: `;
  if (isEtlError(e)) {
    if (e.details.sink === sink.name && e.message.startsWith(prefix)) return e;
    return new EtlError(e.code, e.stage, e.message.startsWith(prefix) ? e.message : `${prefix}${e.message}`, {
      cause: e.cause ?? e,
      details: { ...e.details, sink: sink.name },
    });
  }
  return sinkError(sink.name, `${op} failed`, e);
}

/** Options of `createFanOut`. */
export interface FanOutOptions {
  /**
   * Commit in the background (default false). `commitUnit` waits for the previous unit's commit to finish, starts
   * this unit's commit (sinks in order, the DuckDB ledger last) and returns at once, so the flow stages the next
   * unit while this one commits. At most one unit commits at a time, in order; at most one more is being staged.
   * A failure is thrown by the next `write`, `commitUnit` or `close` (which waits for the commit in progress):
   * the caller must `close()` the fan-out before it reports success.
   */
  background?: boolean;
}

/** Create a fan-out over `sinks` (commit order = array order). */
export function createFanOut(sinks: readonly Sink[], opts: FanOutOptions = {}): Sink {
  let closed = false;
  let failed: EtlError | null = null;
  /** The failure has been thrown to the caller at least once (a background failure is thrown by `close` if not). */
  let reported = false;
  let closing: Promise<EtlError | null> | null = null;
  let closeThrown = false;
  /** The commit in progress (background mode); never rejects. */
  let chain: Promise<void> = Promise.resolve();

  const guard = () => {
    if (closed) throw closedError('fan-out');
    if (failed) {
      reported = true;
      throw failed;
    }
  };

  async function commitAll(end: UnitEnd): Promise<void> {
    for (const s of sinks) {
      if (failed) throw failed; // the run is stopping: no later sink (no ledger row) commits this unit
      try {
        await s.commitUnit(end);
        crashPoint(`commit:${s.name}`);
      } catch (e) {
        throw (failed ??= tagged(s, 'commitUnit', e));
      }
    }
  }

  return {
    name: `fan-out(${sinks.map((s) => s.name).join(',')})`,

    async write(batch: PageBatch): Promise<void> {
      guard();
      const results = await Promise.allSettled(sinks.map((s) => s.write(batch)));
      const i = results.findIndex((r) => r.status === 'rejected');
      if (i >= 0) {
        failed ??= tagged(sinks[i], 'write', (results[i] as PromiseRejectedResult).reason);
        reported = true;
        throw failed;
      }
    },

    async commitUnit(end: UnitEnd): Promise<void> {
      guard();
      if (!opts.background) {
        try {
          await commitAll(end);
        } finally {
          if (failed) reported = true;
        }
        return;
      }
      await chain;
      guard();
      chain = commitAll(end).catch(() => undefined);
    },

    async abortUnit(unitId: string): Promise<void> {
      await Promise.allSettled(sinks.map((s) => s.abortUnit(unitId)));
    },

    async close(): Promise<void> {
      closed = true;
      closing ??= (async () => {
        await chain;
        const results = await Promise.allSettled(sinks.map((s) => s.close()));
        if (failed && !reported) {
          reported = true;
          return failed;
        }
        const i = results.findIndex((r) => r.status === 'rejected');
        return i >= 0 ? tagged(sinks[i], 'close', (results[i] as PromiseRejectedResult).reason) : null;
      })();
      // The first call throws the failure; later calls (idempotent) resolve.
      const error = await closing;
      if (error && !closeThrown) {
        closeThrown = true;
        throw error;
      }
    },
  };
}
