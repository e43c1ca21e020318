/**
 * The six-month Grid Monitor CSV source: each file (oldest first per kind) streamed, its lines of respondents the
 * job does not want dropped by their first cell before any CSV parsing, the rest parsed with csv-parse, mapped by
 * column name (`grid-monitor-columns.ts`, `grid-monitor-rows.ts`), filtered to the job's routes, series and hours,
 * the seam copies dropped (`grid-monitor-records.ts`), and yielded as pages of ≤ 5,000 API-shaped rows with their
 * envelope (the parse stage passes them through), EIA's adjusted and imputed figures riding on each page
 * (`FetchedPage.variants`). A group is a run of rows of one respondent in a file; its units (route × UTC year) end
 * when the next respondent starts, so pages of a group's units interleave (the contract allows it).
 *
 * Memory: one read chunk, a group's partial pages (≤ 5,000 rows per unit) and the seam keys of a day per series.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { DATASET_INFO, type Dataset, type RecordDataset } from '../../core/catalog.js';
import { abortError } from '../../core/clock.js';
import type { EiaRow, FetchedPage, PageEnvelope, Source, SourceItem, ValueVariants, WorkUnit } from '../../core/contracts.js';
import { EtlError } from '../../core/errors.js';
import type { SixMonthFile } from '../../core/six-month-files.js';
import { HOUR_MS, formatHourStamp, utcYear } from '../../core/time.js';
import { planHeader, type GridMonitorFile, type HeaderPlan } from './grid-monitor-columns.js';
import { SeamFilter, gridMonitorRow, gridMonitorUnitId, yearWindow } from './grid-monitor-records.js';
import { parseGridMonitorTime, rowObservations, type GridMonitorBadCell, type GridMonitorObservation } from './grid-monitor-rows.js';
import { keptLines, type SplitCounts } from './line-splitter.js';

export const GRID_MONITOR_PAGE_ROWS = 5000;

/** One file to read. */
export interface GridMonitorInput {
  readonly file: SixMonthFile;
  /** Where it is on disk. */
  readonly path: string;
  /** 12 hex of its sha256: part of every unit id. */
  readonly tag: string;
  /** How errors and `pages.url` name it. */
  readonly what: string;
  /** ISO time it was received (the pages' `fetched_at`). */
  readonly receivedAt: string;
}

/** Per route: the respondents and series codes (null = every series) of the job. */
export interface GridMonitorSelection {
  readonly routes: ReadonlyMap<RecordDataset, { respondents: ReadonlySet<string>; series: ReadonlySet<string> | null }>;
  readonly startMs: number;
  readonly endMs: number;
}

export interface GridMonitorSourceOptions {
  /** Files in reading order: by kind, oldest half-year first. */
  readonly files: readonly GridMonitorInput[];
  readonly selection: GridMonitorSelection;
  readonly horizonHours: number;
  /** The newest hour the files can hold (the build time), epoch ms: units near it are stored open. */
  readonly frontierMs?: number;
  readonly done: ReadonlySet<string>;
}

export interface GridMonitorSourceCounts {
  files: number;
  split: SplitCounts;
  csvRows: number;
  observations: number;
  seamDuplicates: number;
  badCells: number;
  unitsYielded: number;
  unitsAlreadyDone: number;
  rows: number;
}

const KIND_FILE: Readonly<Record<SixMonthFile['kind'], GridMonitorFile>> = { BALANCE: 'balance', INTERCHANGE: 'interchange', SUBREGION: 'subregion' };
const KIND_ROUTES: Readonly<Record<SixMonthFile['kind'], readonly Dataset[]>> = {
  BALANCE: ['region-data', 'fuel-type-data'],
  INTERCHANGE: ['interchange-data'],
  SUBREGION: ['region-sub-ba-data'],
};

/** The file kinds a selection needs. */
export function kindsFor(sel: GridMonitorSelection): SixMonthFile['kind'][] {
  return (['BALANCE', 'INTERCHANGE', 'SUBREGION'] as const).filter((k) => KIND_ROUTES[k].some((d) => sel.routes.has(d)));
}

const EMPTY = Buffer.alloc(0);

/** The first line of a file (its header), read on its own: the line filter needs the respondent column first. */
export async function readHeader(path: string, what: string): Promise<string[]> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(256 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.toString('utf8', 0, bytesRead);
    const nl = text.indexOf('\n');
    if (nl < 0) throw new EtlError('ETL_BULK_INVALID', 'source', `${what}: no header line`);
    const rows = parseSync(text.slice(0, nl), { bom: true, relax_quotes: true }) as string[][];
    if (!rows[0]?.length) throw new EtlError('ETL_BULK_INVALID', 'source', `${what}: empty header line`);
    return rows[0];
  } catch (e) {
    if (e instanceof EtlError) throw e;
    throw new EtlError('ETL_BULK_INVALID', 'source', `${what}: the header line is not CSV (${(e as Error).message.split('\n')[0]})`, { cause: e });
  } finally {
    await fh.close();
  }
}

/** The unit a group fills for a route and year. */
interface OpenUnit {
  readonly unit: WorkUnit;
  readonly done: boolean;
  readonly series: Set<string>;
  rows: EiaRow[];
  /** One entry per row of `rows` (null: the row has no adjusted or imputed figure). */
  variants: (ValueVariants | null)[];
  duplicates: number;
  offset: number;
  pages: number;
}

export function createGridMonitorSource(opts: GridMonitorSourceOptions): Source & { counts(): GridMonitorSourceCounts } {
  const counts: GridMonitorSourceCounts = {
    files: 0, split: { lines: 0, kept: 0, bytes: 0 }, csvRows: 0, observations: 0, seamDuplicates: 0, badCells: 0,
    unitsYielded: 0, unitsAlreadyDone: 0, rows: 0,
  };
  const { selection } = opts;
  const filterTag = [...selection.routes].map(([d, r]) => `${d}:${r.series ? [...r.series].sort().join(',') : '*'}`).sort().join(';');

  return {
    counts: () => ({ ...counts, split: { ...counts.split } }),
    async *read(signal: AbortSignal): AsyncIterable<SourceItem> {
      const seams = new Map<string, SeamFilter>();
      for (const input of opts.files) {
        if (signal.aborted) throw abortError();
        const { file } = input;
        let seam = seams.get(file.kind);
        if (!seam) seams.set(file.kind, (seam = new SeamFilter()));
        seam.startFile(file);
        yield* readFile(input, seam, signal);
        counts.files++;
      }
    },
  };

  async function* readFile(input: GridMonitorInput, seam: SeamFilter, signal: AbortSignal): AsyncGenerator<SourceItem> {
    const { file, what } = input;
    const routes = KIND_ROUTES[file.kind].filter((d) => selection.routes.has(d));
    const wanted = new Set(routes.flatMap((d) => [...selection.routes.get(d)!.respondents]));
    let plan: HeaderPlan;
    try {
      plan = planHeader(KIND_FILE[file.kind], await readHeader(input.path, what));
    } catch (e) {
      if (e instanceof EtlError) throw new EtlError(e.code, 'source', `${what}: ${e.message.replace(`${what}: `, '')}`, { cause: e });
      throw e;
    }
    const respFirst = plan.respondent === 0;
    let line = 0;
    // Drop a line by its first cell (the respondent) before csv-parse sees it: most of a file is other BAs.
    const decide = (head: string): boolean => {
      if (line++ === 0) return false; // the header, planned above
      if (!respFirst) return true;
      const m = /^\uFEFF?"?([^",\r]*)/.exec(head);
      return wanted.has(m?.[1] ?? '');
    };
    const text = createReadStream(input.path, { highWaterMark: 256 * 1024 });
    const onAbort = () => text.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    const lines = keptLines(text as AsyncIterable<Buffer>, 64, decide, counts.split);
    const parser = Readable.from((async function* () {
      for await (const l of lines) yield `${l}\n`;
    })()).pipe(parse({ relax_column_count: true, skip_empty_lines: true, relax_quotes: true }));

    let group: { respondent: string; units: Map<string, OpenUnit> } | null = null;
    const runs = new Map<string, number>();
    const out: GridMonitorObservation[] = [];
    const bad: GridMonitorBadCell[] = [];

    const openUnit = (dataset: Dataset, respondent: string, year: number): OpenUnit => {
      const key = `${dataset}|${year}`;
      let u = group!.units.get(key);
      if (u) return u;
      const w = yearWindow(year, selection.startMs, selection.endMs);
      const run = runs.get(respondent) ?? 0;
      const id = gridMonitorUnitId(input.tag, file.name, dataset, respondent, run, filterTag, w.startMs, w.endMs);
      const frontier = opts.frontierMs;
      const unit: WorkUnit = {
        id, dataset, facets: {}, startMs: w.startMs, endMs: w.endMs, year, expectedRows: 0,
        ...(frontier !== undefined ? { frontierMs: frontier, open: w.endMs - HOUR_MS > frontier - opts.horizonHours * HOUR_MS } : {}),
      };
      u = { unit, done: opts.done.has(id), series: new Set(), rows: [], variants: [], duplicates: 0, offset: 0, pages: 0 };
      if (u.done) counts.unitsAlreadyDone++;
      group!.units.set(key, u);
      return u;
    };

    function* flush(u: OpenUnit, final: boolean): Generator<SourceItem> {
      while (u.rows.length >= GRID_MONITOR_PAGE_ROWS || (final && (u.rows.length > 0 || u.duplicates > 0))) {
        const rows = u.rows.splice(0, GRID_MONITOR_PAGE_ROWS);
        const variants = u.variants.splice(0, rows.length).filter((v): v is ValueVariants => v !== null);
        const envelope: PageEnvelope = { total: rows.length, rows, warnings: [], apiVersion: null, frequency: 'hourly', dateFormat: 'YYYY-MM-DD"T"HH24' };
        const page: FetchedPage = {
          unit: u.unit,
          offset: u.offset,
          pageId: `${u.unit.id}-p${u.offset}`,
          body: EMPTY,
          url: `gridmonitor:${what}`,
          status: 200,
          latencyMs: 0,
          attempts: 1,
          fetchedAt: input.receivedAt,
          envelope,
          ...(u.duplicates ? { sourceDuplicates: u.duplicates } : {}),
          ...(variants.length ? { variants } : {}),
        };
        u.offset += rows.length + u.duplicates;
        u.duplicates = 0;
        u.pages++;
        counts.rows += rows.length;
        yield { kind: 'page', page };
        if (!u.rows.length) break;
      }
    }

    function* closeGroup(): Generator<SourceItem> {
      if (!group) return;
      const units = [...group.units.values()].sort((a, b) => a.unit.year - b.unit.year || (a.unit.dataset < b.unit.dataset ? -1 : 1));
      runs.set(group.respondent, (runs.get(group.respondent) ?? 0) + 1);
      const respondent = group.respondent;
      group = null;
      for (const u of units) {
        if (u.done) continue;
        yield* flush(u, true);
        const info = DATASET_INFO[u.unit.dataset];
        const unit: WorkUnit = {
          ...u.unit,
          facets: { [info.respondentFacet]: [respondent], [info.seriesFacet]: [...u.series].sort() },
          expectedRows: u.offset,
        };
        counts.unitsYielded++;
        yield { kind: 'unit-end', unit, total: u.offset, pages: u.pages, rowsReceived: u.offset };
      }
    }

    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        if (signal.aborted) throw abortError();
        counts.csvRows++;
        const respondent = record[plan.respondent]?.trim() ?? '';
        if (!wanted.has(respondent)) continue;
        if (group && group.respondent !== respondent) yield* closeGroup();
        if (!group) group = { respondent, units: new Map() };
        out.length = 0;
        bad.length = 0;
        rowObservations(plan, record, out, bad);
        for (const o of out) {
          const route = selection.routes.get(o.dataset);
          if (!route || !route.respondents.has(o.respondent) || (route.series && !route.series.has(o.series))) continue;
          if (o.period < selection.startMs || o.period >= selection.endMs) continue;
          counts.observations++;
          const u = openUnit(o.dataset, o.respondent, utcYear(o.period));
          if (seam.isDuplicate(o.dataset, o.respondent, o.series, o.period)) {
            counts.seamDuplicates++;
            if (!u.done) u.duplicates++;
            continue;
          }
          if (u.done) continue;
          u.series.add(o.series);
          u.rows.push(gridMonitorRow(o.dataset, o.respondent, o.series, formatHourStamp(o.period), o.value));
          u.variants.push(o.adjusted !== null || o.imputed !== null
            ? { respondent: o.respondent, series: o.series, period: o.period, adjusted: o.adjusted, imputed: o.imputed }
            : null);
          if (u.rows.length >= GRID_MONITOR_PAGE_ROWS) yield* flush(u, false);
        }
        for (const b of bad) {
          counts.badCells++;
          // Handed to the validator as read, so it quarantines the row with its reason (in the first route's unit).
          const dataset = routes[0]!;
          const periodText = record[plan.period] ?? '';
          const period = b.reason === 'BAD_PERIOD' ? undefined : parseGridMonitorTime(periodText);
          if (period !== undefined && (period < selection.startMs || period >= selection.endMs)) continue;
          const u = openUnit(dataset, respondent, period !== undefined ? utcYear(period) : utcYear(Math.max(selection.startMs, file.fromMs)));
          if (u.done) continue;
          const series = b.reason === 'BAD_VALUE' ? (record[plan.counterpart ?? -1] ?? seriesOfColumn(plan, b.column) ?? '') : '';
          u.rows.push(gridMonitorRow(dataset, b.reason === 'MISSING_KEY' ? '' : respondent, series, period !== undefined ? formatHourStamp(period) : periodText, b.raw));
          u.variants.push(null);
        }
      }
      yield* closeGroup();
    } catch (e) {
      if (signal.aborted) throw abortError();
      if (e instanceof EtlError) throw e;
      const code = (e as { code?: string }).code;
      throw new EtlError('ETL_BULK_INVALID', 'source', `${what}: reading the CSV failed (${code ?? ''} ${(e as Error).message.split('\n')[0]})`.replace('( ', '('), { cause: e });
    } finally {
      signal.removeEventListener('abort', onAbort);
      text.destroy();
      parser.destroy();
    }
  }
}

function seriesOfColumn(plan: HeaderPlan, column: number): string | undefined {
  const v = plan.values.find((x) => x.reported === column || x.adjusted === column || x.imputed === column);
  return v?.series ?? undefined;
}
