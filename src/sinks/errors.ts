/** The errors every sink throws: a write failure tagged with the sink's name, and a write after close. */
import { EtlError } from '../core/errors.js';

/** Wrap any failure as `ETL_SINK_WRITE` tagged with the sink name (EtlErrors pass through). */
export function sinkError(sink: string, what: string, e: unknown): EtlError {
  if (e instanceof EtlError) return e;
  return new EtlError('ETL_SINK_WRITE', 'sink', `${sink}: ${what}: ${(e as Error)?.message ?? String(e)}`, {
    cause: e,
    details: { sink },
  });
}

/** The error every write/commit after close throws. */
export function closedError(sink: string): EtlError {
  return new EtlError('ETL_SINK_CLOSED', 'sink', `${sink}: write after close`, { details: { sink } });
}
