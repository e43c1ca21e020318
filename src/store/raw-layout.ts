/**
 * The raw archive's layout and manifest, shared by the writer (`sinks/raw-archive.ts`) and the reader
 * (`sources/raw-archive.ts`). Pure: paths and JSON shapes only.
 *
 *   <dataDir>/raw/eia/<dataset>/<YYYY>/<unit-id>-p<offset>.json.gz   one page body as received (key redacted)
 *   <dataDir>/raw/eia/<dataset>/<YYYY>/<unit-id>.manifest.json       the unit and one entry per page
 *
 * A unit is in the archive iff its manifest exists; the manifest is written last, atomically.
 */
import path from 'node:path';
import type { FetchedPage, PageEnvelope, WorkUnit } from '../core/contracts.js';
import type { RecordDataset } from '../core/catalog.js';
import { REDACTED } from '../core/redact.js';

/** Prefix of the raw archive's commit journals in `<dataDir>/.journal` (`atomic-files.ts`). */
export const RAW_JOURNAL_PREFIX = 'raw-';

/** Manifest format version (bump on an incompatible change). */
export const MANIFEST_VERSION = 1;

/** One page of a manifest. */
export interface ManifestPage {
  page_id: string;
  offset: number;
  /** File name in the same directory. */
  file: string;
  /** Request URL with `api_key=REDACTED`. */
  url: string;
  /** Query parameters of `url` without `api_key` (repeated keys become arrays). */
  params: Record<string, string | string[]>;
  status: number;
  latency_ms: number;
  attempts: number;
  /** Uncompressed body bytes. */
  bytes: number;
  /** Bytes on disk (gzip). */
  stored_bytes: number;
  /** sha256 (hex) of the uncompressed body, as stored. */
  sha256: string;
  /** Rows in `response.data`. */
  rows: number;
  /** `response.total`. */
  total: number;
  api_version: string | null;
  /** ISO-8601 UTC. */
  fetched_at: string;
}

/** What `<unit-id>.manifest.json` holds: enough to rebuild the work unit and its pages with no API call. */
export interface UnitManifest {
  version: number;
  unit: {
    id: string;
    dataset: RecordDataset;
    facets: Record<string, string[]>;
    startMs: number;
    endMs: number;
    year: number;
    expectedRows: number;
    /** Present when the route's latest published hour was read for the unit (absent in older manifests). */
    frontierMs?: number;
    open?: boolean;
  };
  /** `total` as the API reported it for the unit. */
  total: number;
  rows_received: number;
  pages: ManifestPage[];
  committed_at: string;
}

/** `<dataDir>/raw/eia`. */
export function rawRoot(dataDir: string): string {
  return path.join(dataDir, 'raw', 'eia');
}

/** Directory of a unit's files. */
export function unitDir(dataDir: string, unit: Pick<WorkUnit, 'dataset' | 'year'>): string {
  return path.join(rawRoot(dataDir), unit.dataset, String(unit.year));
}

/** File name of one page: `<pageId>.json.gz` (`pageId` = `<unit-id>-p<offset>`). */
export function pageFileName(pageId: string): string {
  return `${pageId}.json.gz`;
}

/** File name of a unit's manifest. */
export function manifestFileName(unitId: string): string {
  return `${unitId}.manifest.json`;
}

/** Query parameters of a URL, `api_key` dropped. */
export function paramsOf(url: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  let search: URLSearchParams;
  try {
    search = new URL(url).searchParams;
  } catch {
    return out;
  }
  for (const [k, v] of search) {
    if (k.toLowerCase() === 'api_key') continue;
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** The manifest entry of one page (file facts filled by the writer). */
export function manifestPage(
  page: FetchedPage,
  envelope: PageEnvelope,
  facts: { storedBytes: number; sha256: string },
): ManifestPage {
  return {
    page_id: page.pageId,
    offset: page.offset,
    file: pageFileName(page.pageId),
    url: page.url,
    params: paramsOf(page.url),
    status: page.status,
    latency_ms: page.latencyMs,
    attempts: page.attempts,
    bytes: page.body.length,
    stored_bytes: facts.storedBytes,
    sha256: facts.sha256,
    rows: envelope.rows.length,
    total: envelope.total,
    api_version: envelope.apiVersion,
    fetched_at: page.fetchedAt,
  };
}

/** The manifest of a committed unit; pages sorted by offset. */
export function buildManifest(
  unit: WorkUnit,
  end: { total: number; rowsReceived: number },
  pages: readonly ManifestPage[],
  committedAt: string,
): UnitManifest {
  return {
    version: MANIFEST_VERSION,
    unit: {
      id: unit.id,
      dataset: unit.dataset,
      facets: Object.fromEntries(Object.entries(unit.facets).map(([k, v]) => [k, [...v]])),
      startMs: unit.startMs,
      endMs: unit.endMs,
      year: unit.year,
      expectedRows: unit.expectedRows,
      ...(unit.frontierMs !== undefined ? { frontierMs: unit.frontierMs, open: unit.open === true } : {}),
    },
    total: end.total,
    rows_received: end.rowsReceived,
    pages: [...pages].sort((a, b) => a.offset - b.offset),
    committed_at: committedAt,
  };
}

const REDACTED_CLOSE = Buffer.from(`${REDACTED}"`);
const API_KEY_HEAD = Buffer.from('"api_key"');

/**
 * True when the body still carries an API key: `"api_key":"` followed by anything but `REDACTED"`.
 * Whitespace after the colon is tolerated (pretty-printed bodies).
 */
export function bodyLeaksKey(body: Buffer): boolean {
  // Search for the tail `_key"`, then check the head: `_` is rare in JSON bodies, so this scans ~40× faster than
  // searching `"api_key"` itself, whose `"` matches everywhere (0.013 against 0.5 ms for a 0.9 MB page).
  const tail = '_key"';
  const head = API_KEY_HEAD;
  for (let t = body.indexOf(tail); t >= 0; t = body.indexOf(tail, t + 1)) {
    const at = t - (head.length - tail.length);
    if (at < 0 || body.compare(head, 0, head.length, at, at + head.length) !== 0) continue;
    let i = at + head.length;
    while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i++;
    if (body[i] === 0x3a /* : */) {
      i++;
      while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i++;
      if (body[i] === 0x22 /* " */) {
        const rest = body.subarray(i + 1, i + 1 + REDACTED_CLOSE.length);
        if (!rest.equals(REDACTED_CLOSE)) return true;
      }
    }
  }
  return false;
}
