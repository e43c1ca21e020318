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
 */
import type { PageBatch, Sink, UnitEnd } from '../core/contracts.js';
import { crashPoint } from '../core/crash-points.js';
import { EtlError, isEtlError } from '../core/errors.js';
import { closedError } from './atomic-files.js';

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
  return new EtlError('ETL_SINK_WRITE', 'sink', `${prefix}${op} failed: ${(e as Error)?.message ?? String(e)}`, {
    cause: e,
    details: { sink: sink.name },
  });
}

/** Create a fan-out over `sinks` (commit order = array order). */
export function createFanOut(sinks: readonly Sink[]): Sink {
  let closed = false;
  let failed: EtlError | null = null;
  let closing: Promise<void> | null = null;

  const guard = () => {
    if (closed) throw closedError('fan-out');
    if (failed) throw failed;
  };

  return {
    name: `fan-out(${sinks.map((s) => s.name).join(',')})`,

    async write(batch: PageBatch): Promise<void> {
      guard();
      const results = await Promise.allSettled(sinks.map((s) => s.write(batch)));
      const i = results.findIndex((r) => r.status === 'rejected');
      if (i >= 0) throw (failed = tagged(sinks[i], 'write', (results[i] as PromiseRejectedResult).reason));
    },

    async commitUnit(end: UnitEnd): Promise<void> {
      guard();
      for (const s of sinks) {
        try {
          await s.commitUnit(end);
          crashPoint(`commit:${s.name}`);
        } catch (e) {
          throw (failed = tagged(s, 'commitUnit', e));
        }
      }
    },

    async abortUnit(unitId: string): Promise<void> {
      await Promise.allSettled(sinks.map((s) => s.abortUnit(unitId)));
    },

    close(): Promise<void> {
      closed = true;
      closing ??= (async () => {
        const results = await Promise.allSettled(sinks.map((s) => s.close()));
        const i = results.findIndex((r) => r.status === 'rejected');
        if (i >= 0) throw tagged(sinks[i], 'close', (results[i] as PromiseRejectedResult).reason);
      })();
      return closing;
    },
  };
}
