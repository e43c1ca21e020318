/**
 * One backpressured flow: source → validate+normalize → fan-out to every sink, built on
 * `stream/promises.pipeline` over async iterables. Items are page-sized batches. The fan-out awaits every sink for
 * each batch, and each stage pulls the next item only when its consumer is done with the previous one, so the
 * slowest sink paces the source and memory stays bounded by (source run-ahead + one batch per stage).
 *
 * The flow is the one place that asserts the account of every page: `received = records + quarantined +
 * duplicates`, before the batch reaches any sink (a violation is a bug: `ETL_INTERNAL`).
 *
 * Units are committed in the order their `unit-end` arrives: raw → parquet → … → DuckDB (which writes the ledger
 * row in the same transaction), so a unit is done only when every sink holds it.
 */
import { pipeline } from 'node:stream/promises';
import type { FlowItem, PageBatch, Sink, Source, SourceItem, StreamTransform } from '../core/contracts.js';
import { crashPoint } from '../core/crash-points.js';
import { EtlError } from '../core/errors.js';

/** Counts of one flow, the exact account of every row received. */
export interface FlowCounts {
  pages: number;
  units: number;
  unitRestarts: number;
  rowsReceived: number;
  rowsLoaded: number;
  rowsQuarantined: number;
  rowsDuplicate: number;
}

/** Callbacks for progress and logging; all optional and synchronous. */
export interface FlowHooks {
  onPage?(batch: PageBatch, counts: Readonly<FlowCounts>): void;
  onUnitCommitted?(unitId: string, counts: Readonly<FlowCounts>): void;
  onUnitRestart?(unitId: string, reason: string): void;
}

export interface FlowParts {
  source: Source;
  /** Ordered transform stages (validate+normalize). The last one must yield `FlowItem`s. */
  transforms: readonly StreamTransform<any, any>[];
  /** The fan-out over every sink (itself a Sink). */
  sink: Sink;
  signal: AbortSignal;
  hooks?: FlowHooks;
}

export function emptyCounts(): FlowCounts {
  return { pages: 0, units: 0, unitRestarts: 0, rowsReceived: 0, rowsLoaded: 0, rowsQuarantined: 0, rowsDuplicate: 0 };
}

/**
 * Run the flow to the end of the source. Resolves with the counts; rejects with the first error (an `EtlError`
 * tagged with its stage) after the pipeline has torn every stage down. Units staged but not committed when it
 * fails are aborted in every sink. Closing the sinks is the caller's job (it also owns them on success).
 */
export async function runFlow(parts: FlowParts, counts: FlowCounts = emptyCounts()): Promise<FlowCounts> {
  const { source, transforms, sink, signal, hooks } = parts;
  const open = new Set<string>();
  const consume = async (items: AsyncIterable<FlowItem>): Promise<void> => {
    for await (const item of items) {
      // Items already in flight when Ctrl-C lands are not written: the run stops at the last committed unit.
      if (signal.aborted) throw signal.reason ?? new EtlError('ETL_ABORTED', 'pipeline', 'interrupted');
      if (item.kind === 'page') {
        const received = item.envelope.rows.length + (item.page.sourceDuplicates ?? 0);
        const accounted = item.records.length + item.quarantined.length + item.duplicates;
        if (received !== accounted) {
          throw new EtlError('ETL_INTERNAL', 'pipeline', `page ${item.page.pageId}: received ${received} rows but accounted ${accounted}`, {
            details: {
              pageId: item.page.pageId,
              received,
              records: item.records.length,
              quarantined: item.quarantined.length,
              duplicates: item.duplicates,
            },
          });
        }
        open.add(item.page.unit.id);
        await sink.write(item);
        crashPoint('page-written');
        counts.pages++;
        counts.rowsReceived += received;
        counts.rowsLoaded += item.records.length;
        counts.rowsQuarantined += item.quarantined.length;
        counts.rowsDuplicate += item.duplicates;
        hooks?.onPage?.(item, counts);
      } else if (item.kind === 'unit-end') {
        crashPoint('before-commit');
        await sink.commitUnit(item);
        crashPoint('after-commit');
        open.delete(item.unit.id);
        counts.units++;
        hooks?.onUnitCommitted?.(item.unit.id, counts);
      } else {
        await sink.abortUnit(item.unit.id);
        open.delete(item.unit.id);
        counts.unitRestarts++;
        hooks?.onUnitRestart?.(item.unit.id, item.reason);
      }
    }
  };
  const stages: unknown[] = [(async function* () {
    yield* source.read(signal) as AsyncIterable<SourceItem>;
  })(), ...transforms.map((t) => (items: AsyncIterable<unknown>) => t(items, { signal })), consume];
  try {
    await (pipeline as (...s: unknown[]) => Promise<void>)(...stages, { signal });
  } catch (e) {
    await Promise.allSettled([...open].map((id) => sink.abortUnit(id)));
    throw normalizeError(e, signal);
  }
  return counts;
}

function normalizeError(e: unknown, signal: AbortSignal): unknown {
  if (e instanceof EtlError) return e;
  if (signal.aborted || (e as { name?: string })?.name === 'AbortError') {
    const reason = signal.reason;
    if (reason instanceof EtlError) return reason;
    return new EtlError('ETL_ABORTED', 'pipeline', 'interrupted', { cause: e });
  }
  return e;
}
