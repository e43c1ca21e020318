/**
 * The lifecycle shell of the sinks that commit through one DuckDB connection (Parquet, DuckDB): the contract of
 * `core/contracts.ts` around a sink's own staging and commit code.
 *
 * - `init` runs once, lazily, before the first write or commit (a sink that is never written opens nothing).
 * - `write` stages outside the queue: staging is plain JS and never waits for a commit in progress.
 * - `commitUnit`, `abortUnit` and `close` run one at a time in call order: one statement stream on the connection.
 * - Failures are tagged with the sink's name (`ETL_SINK_WRITE`; `EtlError`s keep their code); after `close`
 *   every write and commit is refused with `ETL_SINK_CLOSED`; `close` is idempotent and waits for what is queued.
 */
import type { PageBatch, Sink, UnitEnd } from '../core/contracts.js';
import { closedError, sinkError } from './errors.js';

/** What a serial sink does itself; the shell adds ordering, error tagging and the closed state. */
export interface SerialSinkBody {
  readonly name: string;
  /** Open what the sink needs (connections, journals recovered). Runs at most once. */
  init(): Promise<void>;
  /** Stage a page for its unit (synchronous: nothing is visible, nothing waits). */
  stage(batch: PageBatch): void;
  /** Make the unit's staged rows durable and visible. */
  commit(end: UnitEnd): Promise<void>;
  /** Drop what was staged for the unit. */
  drop(unitId: string): void;
  /** Release everything; runs once, after every earlier queued call finished and after `init` settled. */
  shutdown(): Promise<void> | void;
}

/** Wrap `body` in the shared lifecycle (see the module comment). */
export function serialSink(body: SerialSinkBody): Sink {
  const { name } = body;
  let closed = false;
  let ready: Promise<void> | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  const init = () => (ready ??= body.init());
  /** Run `fn` after every earlier queued call, whether it succeeded or not. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn, fn);
    queue = p.catch(() => undefined);
    return p;
  };

  return {
    name,

    async write(batch: PageBatch): Promise<void> {
      if (closed) throw closedError(name);
      try {
        await init();
        body.stage(batch);
      } catch (e) {
        throw sinkError(name, `staging page ${batch.page.pageId}`, e);
      }
    },

    commitUnit(end: UnitEnd): Promise<void> {
      if (closed) return Promise.reject(closedError(name));
      return serial(async () => {
        try {
          await init();
          await body.commit(end);
        } catch (e) {
          throw sinkError(name, `committing unit ${end.unit.id}`, e);
        }
      });
    },

    abortUnit(unitId: string): Promise<void> {
      return serial(async () => body.drop(unitId));
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await serial(async () => {
        if (ready) await ready.catch(() => undefined);
        await body.shutdown();
      });
    },
  };
}
