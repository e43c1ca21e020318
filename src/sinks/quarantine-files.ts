/**
 * Quarantine files sink: the rows validation rejected, one JSONL file per unit and year, for people to read.
 *
 *   <dataDir>/quarantine/dataset=<dataset>/year=<YYYY>/<unit-id>.jsonl   one QuarantineRecord per line
 *
 * `YYYY` is the unit's year (a unit's window never straddles years). Written atomically at `commitUnit`,
 * replacing an earlier copy; a unit with no rejected rows removes its earlier file, if any, so a re-run that
 * fixed the data leaves nothing stale. `write` only keeps the page's rows in memory (a few per page).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { PageBatch, QuarantineRecord, Sink, UnitEnd } from '../core/contracts.js';
import { writeFileAtomic } from '../store/atomic-files.js';
import { closedError, sinkError } from './errors.js';

/** Options of the quarantine files sink. */
export interface QuarantineFilesOptions {
  dataDir: string;
  /** fsync files and directories (default true). */
  fsync?: boolean;
}

/** Path of a unit's quarantine file. */
export function quarantineFile(dataDir: string, dataset: string, year: number, unitId: string): string {
  return path.join(dataDir, 'quarantine', `dataset=${dataset}`, `year=${year}`, `${unitId}.jsonl`);
}

/** JSONL text of quarantined rows (pages in offset order, rows in index order); '' when none. */
export function toJsonl(rows: readonly QuarantineRecord[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** Create the quarantine files sink. */
export function createQuarantineFilesSink(opts: QuarantineFilesOptions): Sink & { stats(): { rowsWritten: number } } {
  const name = 'quarantine-files';
  const staged = new Map<string, Map<number, readonly QuarantineRecord[]>>();
  let rowsWritten = 0;
  let closed = false;
  return {
    name,
    stats: () => ({ rowsWritten }),

    async write(batch: PageBatch): Promise<void> {
      if (closed) throw closedError(name);
      const id = batch.page.unit.id;
      let pages = staged.get(id);
      if (!pages) staged.set(id, (pages = new Map()));
      pages.set(batch.page.offset, batch.quarantined);
    },

    async commitUnit(end: UnitEnd): Promise<void> {
      if (closed) throw closedError(name);
      const { unit } = end;
      const pages = staged.get(unit.id) ?? new Map<number, readonly QuarantineRecord[]>();
      const rows = [...pages.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, r]) => r);
      const file = quarantineFile(opts.dataDir, unit.dataset, unit.year, unit.id);
      try {
        if (rows.length > 0) await writeFileAtomic(file, toJsonl(rows), opts.fsync ?? true);
        else await rm(file, { force: true });
      } catch (e) {
        throw sinkError(name, `committing unit ${unit.id}`, e);
      }
      staged.delete(unit.id);
      rowsWritten += rows.length;
    },

    async abortUnit(unitId: string): Promise<void> {
      staged.delete(unitId);
    },

    async close(): Promise<void> {
      closed = true;
      staged.clear();
    },
  };
}
