/**
 * The resumable download of one six-month Grid Monitor CSV into the raw archive (`grid-monitor-archive.ts`), and
 * the folder's file list. No key is sent and no request limiter is involved: the folder is not the API.
 *
 * - The body goes to `raw/gridmonitor/<name>.part` as it arrives, hashed on the way; `<name>.part.json` holds the
 *   URL and the server's ETag/Last-Modified, written before the first byte, so a stopped download continues where
 *   the file ends (`Range: bytes=<size>-` with `If-Range`). A 206 appends; a 200 (the file changed since, or the
 *   server ignores ranges) starts over.
 * - Complete, the part file is renamed to `<name>-<sha12>.csv` and its manifest entry written.
 * - Before downloading, `If-None-Match` with the last download's ETag: a 304 keeps that file (only the current
 *   half-year's file changes from day to day).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { EtlError } from '../../core/errors.js';
import { BULK_MANIFEST_VERSION, type BulkFileManifest } from './bulk-archive.js';
import type { DownloadProgress } from './download.js';
import { gridMonitorDir, keptCsvName, readCsvLatest, writeCsvLatest, writeCsvManifest } from './grid-monitor-archive.js';

export interface CsvDownloadOptions {
  /** The folder URL, ending in `/`. */
  readonly baseUrl: string;
  /** The file name inside it. */
  readonly name: string;
  readonly dataDir: string;
  readonly signal: AbortSignal;
  readonly onProgress?: (p: DownloadProgress) => void;
  readonly progressMs?: number;
  readonly now?: () => number;
}

export interface CsvDownloadResult {
  readonly file: string;
  readonly manifest: BulkFileManifest;
  readonly resumedFrom: number;
  /** The server said the last download is current (304). */
  readonly reused: boolean;
}

interface PartMeta {
  url: string;
  etag: string | null;
  lastModified: string | null;
}

/**
 * The names the folder lists in `EIA930_File_List_Meta.csv` (EIA's index: `YEAR,PERIOD,FILENAME,DESCRIPTION`), or
 * null when the list cannot be read (then every file is simply asked for).
 */
export async function listGridMonitorFiles(baseUrl: string, signal: AbortSignal): Promise<Set<string> | null> {
  try {
    const res = await fetch(new URL('EIA930_File_List_Meta.csv', baseUrl), { signal, redirect: 'follow' });
    if (!res.ok) {
      await res.body?.cancel();
      return null;
    }
    const names = new Set<string>();
    for (const m of (await res.text()).matchAll(/EIA930_[A-Z]+_\d{4}_(?:Jan_Jun|Jul_Dec)\.csv/g)) names.add(m[0]);
    return names.size ? names : null;
  } catch {
    if (signal.aborted) throw new EtlError('ETL_ABORTED', 'source', 'interrupted');
    return null;
  }
}

/** Download (or resume, or reuse) one file. A 404 is `ETL_HTTP_STATUS` with `details.status` 404. */
export async function downloadGridMonitorCsv(opts: CsvDownloadOptions): Promise<CsvDownloadResult> {
  const now = opts.now ?? Date.now;
  const dir = gridMonitorDir(opts.dataDir);
  await mkdir(dir, { recursive: true });
  const url = new URL(opts.name, opts.baseUrl).toString();
  const part = path.join(dir, `${opts.name}.part`);
  const metaFile = `${part}.json`;
  const meta = await readFile(metaFile, 'utf8').then((t) => JSON.parse(t) as PartMeta).catch(() => null);
  const have = meta && meta.url === url ? ((await stat(part).catch(() => null))?.size ?? 0) : 0;
  const headers: Record<string, string> = { 'Accept-Encoding': 'identity' };
  const latest = await readCsvLatest(opts.dataDir, opts.name);
  if (have > 0 && (meta!.etag || meta!.lastModified)) {
    headers.Range = `bytes=${have}-`;
    headers['If-Range'] = (meta!.etag ?? meta!.lastModified)!;
  } else if (latest && latest.url === url && latest.etag) {
    headers['If-None-Match'] = latest.etag;
  }
  const res = await fetch(url, { headers, signal: opts.signal, redirect: 'follow' }).catch((e: unknown) => {
    throw netError(url, e, opts.signal);
  });
  if (res.status === 304 && latest) {
    await res.body?.cancel();
    const file = path.join(dir, latest.file);
    const manifest = JSON.parse(await readFile(`${file}.json`, 'utf8')) as BulkFileManifest;
    return { file, manifest, resumedFrom: 0, reused: true };
  }
  if (res.status !== 200 && res.status !== 206) {
    await res.body?.cancel();
    throw new EtlError('ETL_HTTP_STATUS', 'source', `grid monitor download: HTTP ${res.status} from ${url}`, { details: { status: res.status } });
  }
  const etag = res.headers.get('etag');
  const lastModified = res.headers.get('last-modified');
  let start = 0;
  if (res.status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
    if (!m || Number(m[1]) !== have) {
      await res.body?.cancel();
      throw new EtlError('ETL_HTTP_STATUS', 'source', `grid monitor download: the server resumed ${opts.name} at the wrong offset (${res.headers.get('content-range') ?? 'no Content-Range'}, asked ${have})`);
    }
    start = have;
  }
  const length = res.headers.get('content-length');
  const total = length !== null ? start + Number(length) : null;
  await writeFile(`${metaFile}.tmp`, JSON.stringify({ url, etag, lastModified } satisfies PartMeta));
  await rename(`${metaFile}.tmp`, metaFile);

  const hash = createHash('sha256');
  if (start > 0) {
    await pipeline(createReadStream(part, { end: start - 1, highWaterMark: 1024 * 1024 }), async (src: AsyncIterable<Buffer>) => {
      for await (const c of src) hash.update(c);
    });
  }
  let bytes = start;
  let last = 0;
  const progressMs = opts.progressMs ?? 250;
  const report = (force: boolean) => {
    const t = Date.now();
    if (!force && t - last < progressMs) return;
    last = t;
    opts.onProgress?.({ bytes, total, resumedFrom: start });
  };
  report(true);
  if (!res.body) throw new EtlError('ETL_BODY_TRUNCATED', 'source', `grid monitor download: empty body from ${url}`);
  try {
    await pipeline(
      Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>),
      async function* (src: AsyncIterable<Buffer>) {
        for await (const c of src) {
          hash.update(c);
          bytes += c.length;
          report(false);
          yield c;
        }
      },
      createWriteStream(part, { flags: start > 0 ? 'r+' : 'w', start }),
      { signal: opts.signal },
    );
  } catch (e) {
    throw netError(url, e, opts.signal, bytes);
  }
  report(true);
  if (total !== null && bytes !== total) {
    throw new EtlError('ETL_BODY_TRUNCATED', 'source', `grid monitor download: ${bytes} of ${total} bytes of ${opts.name} arrived; run the same command again to continue`);
  }
  const sha256 = hash.digest('hex');
  const kept = keptCsvName(opts.name, sha256);
  const file = path.join(dir, kept);
  await rename(part, file);
  const manifest: BulkFileManifest = {
    version: BULK_MANIFEST_VERSION,
    dataset: opts.name,
    file: kept,
    source_path: null,
    url,
    bytes,
    sha256,
    etag,
    last_modified: lastModified,
    manifest_entry: null,
    received_at: new Date(now()).toISOString(),
  };
  await writeCsvManifest(opts.dataDir, opts.name, manifest);
  await writeCsvLatest(opts.dataDir, opts.name, { file: kept, sha256, url, etag });
  await rm(metaFile, { force: true });
  return { file, manifest, resumedFrom: start, reused: false };
}

function netError(url: string, e: unknown, signal: AbortSignal, bytes?: number): EtlError {
  if (e instanceof EtlError) return e;
  if (signal.aborted) {
    return new EtlError('ETL_ABORTED', 'source', `interrupted${bytes !== undefined ? ` after ${bytes} bytes of ${url} (kept; the next run continues)` : ''}`, { cause: e });
  }
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (e as Error).message ?? String(e);
  return new EtlError('ETL_NETWORK', 'source', `grid monitor download from ${url} failed (${why})${bytes !== undefined ? `; ${bytes} bytes kept, run the same command again to continue` : ''}`, { cause: e });
}
