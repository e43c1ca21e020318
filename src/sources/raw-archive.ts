/**
 * Raw archive source: replays what `sinks/raw-archive.ts` stored, with no API call. `replay` uses it to rebuild
 * Parquet and DuckDB.
 *
 * Order is deterministic: dataset (name), year, then unit (window start, id); within a unit, pages by offset,
 * then the unit's `unit-end`. Each page is rebuilt as a `FetchedPage` from the manifest and the gunzipped body,
 * its envelope parsed by the same parser as a live page (`eia/envelope.ts`). A missing, unreadable or altered page
 * (sha256 differs) or a corrupt manifest rejects with `ETL_REPLAY_INVALID` naming the file; a body that does not
 * parse rejects with the parser's `EtlError` (stage `parse`, `details.pageId` added). One page is read and parsed
 * per pull, so memory stays at one page. Interrupted raw commits are rolled forward first (same journal as the
 * writer).
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { gunzip as gunzipCb } from 'node:zlib';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { DATASETS, type Dataset } from '../core/catalog.js';
import type { FetchedPage, PageEnvelope, Source, SourceItem, WorkUnit } from '../core/contracts.js';
import { EtlError, isEtlError } from '../core/errors.js';
import { abortError } from '../core/clock.js';
import { recoverJournals } from '../store/atomic-files.js';
import { MANIFEST_VERSION, RAW_JOURNAL_PREFIX, rawRoot, type UnitManifest } from '../store/raw-layout.js';
import { parseEnvelope } from './eia/envelope.js';

const gunzip = promisify(gunzipCb);

/** Options of the raw archive source. */
export interface RawArchiveSourceOptions {
  dataDir: string;
  /** Only these datasets (default: all found). */
  datasets?: readonly Dataset[];
  /** Only these years (default: all found). */
  years?: readonly number[];
}

/** A raw archive source; `countUnits` counts the manifests it will replay (for progress). */
export interface RawArchiveSource extends Source {
  countUnits(): Promise<number>;
}

/** Create the source (reads nothing until `read` or `countUnits`). */
export function createRawArchiveSource(opts: RawArchiveSourceOptions): RawArchiveSource {
  return {
    countUnits: async () => (await listManifests(opts)).length,
    read: (signal: AbortSignal) => readArchive(opts, signal),
  };
}

async function* readArchive(opts: RawArchiveSourceOptions, signal: AbortSignal): AsyncGenerator<SourceItem> {
  await recoverJournals(opts.dataDir, RAW_JOURNAL_PREFIX);
  const manifests = await listManifests(opts);
  // First pass keeps only the sort keys, so memory does not grow with the archive.
  const order: { file: string; dataset: string; year: number; startMs: number; id: string }[] = [];
  for (const file of manifests) {
    const { unit } = await loadManifest(file);
    order.push({ file, dataset: unit.dataset, year: unit.year, startMs: unit.startMs, id: unit.id });
  }
  order.sort((a, b) =>
    a.dataset !== b.dataset
      ? a.dataset < b.dataset ? -1 : 1
      : a.year - b.year || a.startMs - b.startMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  for (const { file } of order) {
    if (signal.aborted) throw abortError();
    const m = await loadManifest(file);
    const unit: WorkUnit = Object.freeze({ ...m.unit, facets: Object.freeze({ ...m.unit.facets }) });
    const dir = path.dirname(file);
    for (const p of m.pages) {
      if (signal.aborted) throw abortError();
      const pageFile = path.join(dir, p.file);
      let body: Buffer;
      try {
        body = await gunzip(await readFile(pageFile));
      } catch (e) {
        throw invalid(`page file ${pageFile} is missing or unreadable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, e);
      }
      const sha = createHash('sha256').update(body).digest('hex');
      if (sha !== p.sha256) throw invalid(`page file ${pageFile} does not match its manifest (sha256 ${sha} ≠ ${p.sha256})`);
      const envelope = parseArchivedPage(body, p.page_id);
      const page: FetchedPage = {
        unit,
        offset: p.offset,
        pageId: p.page_id,
        body,
        url: p.url,
        status: p.status,
        latencyMs: p.latency_ms,
        attempts: p.attempts,
        fetchedAt: p.fetched_at,
        envelope,
      };
      yield { kind: 'page', page };
    }
    if (signal.aborted) throw abortError();
    yield { kind: 'unit-end', unit, total: m.total, pages: m.pages.length, rowsReceived: m.rows_received };
  }
}

/** An archived body's envelope; a body that does not parse is a systemic failure, named by its page. */
function parseArchivedPage(body: Buffer, pageId: string): PageEnvelope {
  try {
    return parseEnvelope(body);
  } catch (e) {
    if (!isEtlError(e)) throw e;
    throw new EtlError(e.code, 'parse', `page ${pageId}: ${e.message}`, { cause: e, details: { ...e.details, pageId } });
  }
}

/** Manifest files below `raw/eia/<dataset>/<year>/`, filtered by the options, sorted by path. */
async function listManifests(opts: RawArchiveSourceOptions): Promise<string[]> {
  const root = rawRoot(opts.dataDir);
  const datasets = (opts.datasets ?? DATASETS).slice().sort();
  const out: string[] = [];
  for (const ds of datasets) {
    const years = await dirNames(path.join(root, ds));
    for (const y of years.filter((y) => /^\d{4}$/.test(y)).sort()) {
      if (opts.years && !opts.years.includes(Number(y))) continue;
      const dir = path.join(root, ds, y);
      for (const f of (await dirNames(dir)).filter((f) => f.endsWith('.manifest.json') && !f.startsWith('.')).sort()) {
        out.push(path.join(dir, f));
      }
    }
  }
  return out;
}

async function dirNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw invalid(`cannot list ${dir}`, e);
  }
}

async function loadManifest(file: string): Promise<UnitManifest> {
  let m: UnitManifest;
  try {
    m = JSON.parse(await readFile(file, 'utf8')) as UnitManifest;
  } catch (e) {
    throw invalid(`manifest ${file} is unreadable or not JSON`, e);
  }
  if (m?.version !== MANIFEST_VERSION || !m.unit?.id || !Array.isArray(m.pages)) {
    throw invalid(`manifest ${file} is not a version ${MANIFEST_VERSION} unit manifest`);
  }
  return m;
}

function invalid(message: string, cause?: unknown): EtlError {
  return new EtlError('ETL_REPLAY_INVALID', 'source', message, cause === undefined ? {} : { cause });
}
