/**
 * The `EBA.zip` source: the zip's `EBA.txt` member streamed, split into lines, each line decided on from its head
 * (`eba-select.ts`) before it is parsed, the kept series parsed (`eba-line.ts`) and cut into units of one series ×
 * one UTC year (`eba-records.ts`), each unit yielded as pages of ≤ 5,000 API-shaped rows (with their envelope: the
 * parse stage passes them through) and its `unit-end`. Units the ledger already holds are skipped, so a stopped
 * run resumes at the first unit not committed.
 *
 * Memory: one inflated chunk, one kept line (a few MB) and its units' rows; the flow's backpressure holds the
 * reading while the sinks commit.
 */
import type { FetchedPage, PageEnvelope, Source, SourceItem } from '../../core/contracts.js';
import { abortError } from '../../core/clock.js';
import { EtlError } from '../../core/errors.js';
import { parseEbaLine } from './eba-line.js';
import { ebaUnits } from './eba-records.js';
import { SPAN_HEAD_CHARS, peekBuildMs, skipReason, type EbaSelection, type EbaSkipReason } from './eba-select.js';
import { oneLine, openEbaZip } from './eba-zip.js';
import { keptLines, type SplitCounts } from './line-splitter.js';

/** Rows per page: the API's page size, so every stage sees batches of the size it was built for. */
export const BULK_PAGE_ROWS = 5000;

export interface EbaSourceOptions {
  /** The zip on disk. */
  readonly file: string;
  /** How errors name the file: `--bulk-file '<path>'` or `the downloaded EBA.zip`. */
  readonly what: string;
  readonly selection: EbaSelection;
  /** Tag of the file (12 hex of its sha256): part of every unit id. */
  readonly fileTag: string;
  readonly horizonHours: number;
  /** Unit ids already committed (the ledger): skipped. */
  readonly done: ReadonlySet<string>;
  /** `pages.url` of the rows: the kept file's name and the series id are appended. */
  readonly urlBase: string;
  /** ISO time the file was received (the pages' `fetched_at`). */
  readonly receivedAt: string;
}

/** What the source has read so far. */
export interface EbaSourceCounts {
  split: SplitCounts;
  /** Lines not read, by reason. */
  skipped: Record<EbaSkipReason, number>;
  seriesParsed: number;
  unitsYielded: number;
  unitsAlreadyDone: number;
  rows: number;
}

const EMPTY = Buffer.alloc(0);

export function createEbaSource(opts: EbaSourceOptions): Source & { counts(): EbaSourceCounts } {
  const counts: EbaSourceCounts = {
    split: { lines: 0, kept: 0, bytes: 0 },
    skipped: { category: 0, 'local-time': 0, co2: 0, unrecognised: 0, 'not-selected': 0, 'out-of-range': 0 },
    seriesParsed: 0,
    unitsYielded: 0,
    unitsAlreadyDone: 0,
    rows: 0,
  };
  const { selection } = opts;
  const decide = (head: string): boolean => {
    const why = skipReason(selection, head);
    if (why) counts.skipped[why]++;
    return why === undefined;
  };
  const bad = (why: string, cause?: unknown) => new EtlError('ETL_BULK_INVALID', 'source', `${opts.what}: ${why}`, { cause });

  return {
    counts: () => ({ ...counts, split: { ...counts.split }, skipped: { ...counts.skipped } }),
    async *read(signal: AbortSignal): AsyncIterable<SourceItem> {
      const zip = await openEbaZip(opts.file, opts.what);
      try {
        const text = await zip.openText();
        const onAbort = () => text.destroy();
        signal.addEventListener('abort', onAbort, { once: true });
        try {
          let lineNo = 0;
          for await (const line of keptLines(text as AsyncIterable<Buffer>, SPAN_HEAD_CHARS, decide, counts.split)) {
            if (signal.aborted) throw abortError();
            lineNo = counts.split.lines;
            let series;
            try {
              series = parseEbaLine(line, selection.startMs, selection.endMs);
            } catch (e) {
              throw bad(`line ${lineNo} of EBA.txt is not JSON (${oneLine(e)})`, e);
            }
            if (!series) continue;
            counts.seriesParsed++;
            const ctx = {
              startMs: selection.startMs,
              endMs: selection.endMs,
              fileTag: opts.fileTag,
              horizonHours: opts.horizonHours,
              buildMs: peekBuildMs(line.slice(0, SPAN_HEAD_CHARS)),
            };
            for (const { unit, rows } of ebaUnits(series, ctx)) {
              if (opts.done.has(unit.id)) {
                counts.unitsAlreadyDone++;
                continue;
              }
              let pages = 0;
              for (let offset = 0; offset < rows.length; offset += BULK_PAGE_ROWS) {
                const slice = rows.slice(offset, offset + BULK_PAGE_ROWS);
                const envelope: PageEnvelope = {
                  total: rows.length,
                  rows: slice,
                  warnings: [],
                  apiVersion: null,
                  frequency: 'hourly',
                  dateFormat: 'YYYY-MM-DD"T"HH24',
                };
                const page: FetchedPage = {
                  unit,
                  offset,
                  pageId: `${unit.id}-p${offset}`,
                  body: EMPTY,
                  url: `${opts.urlBase}#${series.id}`,
                  status: 200,
                  latencyMs: 0,
                  attempts: 1,
                  fetchedAt: opts.receivedAt,
                  envelope,
                };
                pages++;
                counts.rows += slice.length;
                yield { kind: 'page', page };
              }
              counts.unitsYielded++;
              yield { kind: 'unit-end', unit, total: rows.length, pages, rowsReceived: rows.length };
            }
          }
        } catch (e) {
          if (signal.aborted) throw abortError();
          if (e instanceof EtlError) throw e;
          throw bad(`reading EBA.txt failed (${oneLine(e)})`, e);
        } finally {
          signal.removeEventListener('abort', onAbort);
          text.destroy();
        }
      } finally {
        zip.close();
      }
    },
  };
}
