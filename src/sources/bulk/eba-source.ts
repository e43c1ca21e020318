/**
 * The `EBA.zip` source: the zip's `EBA.txt` member streamed, split into lines, each line decided on from its head
 * (`eba-select.ts`) before it is parsed, the kept series parsed (`eba-line.ts`) and cut into its pieces of the
 * units of its group — route × respondent × UTC year over consecutive lines (`eba-records.ts`). Each piece is
 * yielded at once as pages of ≤ 5,000 API-shaped rows, each with its envelope already built (sources parse their own pages);
 * the group's `unit-end`s follow when a line of another route or respondent, or the end of the file, closes it, so
 * pages of a group's year units interleave (the contract allows it) and the sinks stage them until their commit.
 * Units the ledger already holds are skipped, so a stopped run resumes at the first group not committed.
 *
 * Memory: one inflated chunk, one kept line (a few MB) and its rows; the sinks stage the open group's rows (a
 * respondent's fuels since 2019 ≈ 0.6 M rows, ~25 MB of staged records); the flow's backpressure holds the
 * reading while the sinks commit. Why groups and not one unit per line: the default job's 299 series-year units
 * spent most of the run committing (docs/decisions.md, "The bulk source").
 */
import { DATASET_INFO } from '../../core/catalog.js';
import type { FetchedPage, PageEnvelope, Source, SourceItem, WorkUnit } from '../../core/contracts.js';
import { abortError } from '../../core/clock.js';
import { EtlError } from '../../core/errors.js';
import { parseEbaLine, peekSeriesId } from './eba-line.js';
import { ebaUnits } from './eba-records.js';
import { SPAN_HEAD_CHARS, peekBuildMs, skipReason, type EbaSelection, type EbaSkipReason } from './eba-select.js';
import { parseEbaSeriesId } from './eba-series.js';
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
  /**
   * Selected series whose line on the job's clock the file lacks (their other clock's line was there): `<series id
   * of the skipped line>`, sorted. With `--bulk-clock local`, the series EIA (or the simulator) gave no `HL` twin.
   */
  withoutTwin: string[];
  unitsYielded: number;
  unitsAlreadyDone: number;
  rows: number;
}

const EMPTY = Buffer.alloc(0);

/** A unit of the open group while its lines are read. */
interface OpenUnit {
  /** The unit as its first piece planned it (id, route, window, year); facets and counts are completed at its end. */
  readonly unit: WorkUnit;
  /** In the ledger already: its pieces are skipped. */
  readonly done: boolean;
  readonly respondents: Set<string>;
  readonly series: Set<string>;
  rows: number;
  pages: number;
  frontierMs: number | undefined;
  open: boolean;
}

export function createEbaSource(opts: EbaSourceOptions): Source & { counts(): EbaSourceCounts } {
  const counts: EbaSourceCounts = {
    split: { lines: 0, kept: 0, bytes: 0 },
    skipped: { category: 0, 'local-time': 0, 'utc-time': 0, co2: 0, unrecognised: 0, 'not-selected': 0, 'out-of-range': 0 },
    seriesParsed: 0,
    withoutTwin: [],
    unitsYielded: 0,
    unitsAlreadyDone: 0,
    rows: 0,
  };
  const { selection } = opts;
  // Selected series met on the other clock, and those read on the job's clock: keyed `dataset|respondent|series`.
  const otherClock = new Map<string, string>();
  const read = new Set<string>();
  const keyOf = (k: { dataset: string; respondent: string; series: string }) => `${k.dataset}|${k.respondent}|${k.series}`;
  const decide = (head: string): boolean => {
    const why = skipReason(selection, head);
    if (why) counts.skipped[why]++;
    if (why === 'utc-time' || why === 'local-time' || why === 'out-of-range') {
      const id = peekSeriesId(head)!;
      const key = parseEbaSeriesId(id);
      // A line of the job's clock outside the range is there all the same: its series has its line.
      if (key.kind === 'series') (why === 'out-of-range' ? read.add(keyOf(key)) : otherClock.set(keyOf(key), id));
    }
    return why === undefined;
  };
  const missingTwins = () => [...otherClock].filter(([k]) => !read.has(k)).map(([, id]) => id).sort();
  const bad = (why: string, cause?: unknown) => new EtlError('ETL_BULK_INVALID', 'source', `${opts.what}: ${why}`, { cause });

  /** The open group: consecutive kept lines of one route and respondent; its units by UTC year. */
  let group: { key: string; tag: string; units: Map<number, OpenUnit> } | null = null;

  /** The `unit-end`s of the open group, oldest year first, with the facets and frontier of all its series. */
  function* closeGroup(): Generator<SourceItem> {
    if (!group) return;
    const units = [...group.units.entries()].sort(([a], [b]) => a - b).map(([, u]) => u);
    group = null;
    for (const u of units) {
      if (u.done) continue;
      const info = DATASET_INFO[u.unit.dataset];
      const unit: WorkUnit = {
        ...u.unit,
        facets: { [info.respondentFacet]: [...u.respondents], [info.seriesFacet]: [...u.series].sort() },
        expectedRows: u.rows,
        frontierMs: u.frontierMs,
        open: u.open,
      };
      counts.unitsYielded++;
      yield { kind: 'unit-end', unit, total: u.rows, pages: u.pages, rowsReceived: u.rows };
    }
  }

  return {
    counts: () => ({ ...counts, split: { ...counts.split }, skipped: { ...counts.skipped }, withoutTwin: missingTwins() }),
    async *read(signal: AbortSignal): AsyncIterable<SourceItem> {
      const zip = await openEbaZip(opts.file, opts.what);
      try {
        const text = await zip.openText();
        const onAbort = () => text.destroy();
        signal.addEventListener('abort', onAbort, { once: true });
        try {
          for await (const line of keptLines(text as AsyncIterable<Buffer>, SPAN_HEAD_CHARS, decide, counts.split)) {
            if (signal.aborted) throw abortError();
            let series;
            try {
              series = parseEbaLine(line, selection.startMs, selection.endMs, selection.clock);
            } catch (e) {
              throw bad(`line ${counts.split.lines} of EBA.txt is not JSON (${oneLine(e)})`, e);
            }
            if (!series) continue;
            counts.seriesParsed++;
            read.add(keyOf(series.key));
            const key = `${series.key.dataset}|${series.key.respondent}`;
            if (group && group.key !== key) yield* closeGroup();
            if (!group) {
              const route = selection.routes.get(series.key.dataset);
              const filter = route?.series ? [...route.series].sort().join(',') : '*';
              // The local-time lines give the same keys as the UTC ones: their own unit ids, so a run over a
              // directory the other clock loaded re-loads (and compares) instead of finding the units done.
              group = { key, tag: `${filter}|${series.key.series}${series.key.local ? '|HL' : ''}`, units: new Map() };
            }
            const ctx = {
              startMs: selection.startMs,
              endMs: selection.endMs,
              fileTag: opts.fileTag,
              groupTag: group.tag,
              horizonHours: opts.horizonHours,
              buildMs: peekBuildMs(line.slice(0, SPAN_HEAD_CHARS)),
            };
            for (const { unit, rows } of ebaUnits(series, ctx)) {
              let u = group.units.get(unit.year);
              if (!u) {
                u = { unit, done: opts.done.has(unit.id), respondents: new Set(), series: new Set(), rows: 0, pages: 0, frontierMs: unit.frontierMs, open: false };
                if (u.done) counts.unitsAlreadyDone++;
                group.units.set(unit.year, u);
              }
              if (u.done) continue;
              u.respondents.add(series.key.respondent);
              u.series.add(series.key.series);
              u.open ||= unit.open === true;
              if (unit.frontierMs !== undefined) u.frontierMs = Math.max(u.frontierMs ?? unit.frontierMs, unit.frontierMs);
              for (let offset = 0; offset < rows.length; offset += BULK_PAGE_ROWS) {
                const slice = rows.slice(offset, offset + BULK_PAGE_ROWS);
                const envelope: PageEnvelope = {
                  total: slice.length,
                  rows: slice,
                  warnings: [],
                  apiVersion: null,
                  frequency: 'hourly',
                  dateFormat: 'YYYY-MM-DD"T"HH24',
                };
                // Offsets run on across the group's lines: page ids stay unique within the unit.
                const page: FetchedPage = {
                  unit: u.unit,
                  offset: u.rows,
                  pageId: `${u.unit.id}-p${u.rows}`,
                  body: EMPTY,
                  url: `${opts.urlBase}#${series.id}`,
                  status: 200,
                  latencyMs: 0,
                  attempts: 1,
                  fetchedAt: opts.receivedAt,
                  envelope,
                };
                u.pages++;
                u.rows += slice.length;
                counts.rows += slice.length;
                yield { kind: 'page', page };
              }
            }
          }
          yield* closeGroup();
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
