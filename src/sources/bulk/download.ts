/**
 * The resumable download of `EBA.zip` into the raw archive (`bulk-archive.ts`). No API key is sent or needed, and
 * no request limiter is involved: the bulk facility is not the API.
 *
 * - The body is written to `raw/bulk/EBA.zip.part` as it arrives, hashed on the way; `EBA.zip.part.json` holds the
 *   URL and the server's ETag/Last-Modified, written before the first byte, so a download stopped by Ctrl-C, a kill
 *   or a lost connection continues where the file ends: `Range: bytes=<size>-` with `If-Range: <etag>`. A 206
 *   appends; a 200 (the file was rebuilt since, or the server ignores ranges) starts over.
 * - Complete, the part file is renamed to `EBA-<sha256>.zip` and its manifest entry written.
 * - Before downloading, `If-None-Match` with the last download's ETag: a 304 keeps that file (EIA rebuilds the file
 *   once or twice a day; an unchanged file is not fetched again).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { EtlError } from '../../core/errors.js';
import { BULK_MANIFEST_VERSION, bulkDir, keptName, readLatest, writeBulkManifest, writeLatest, type BulkFileManifest } from './bulk-archive.js';

export interface DownloadOptions {
  readonly url: string;
  readonly dataDir: string;
  readonly signal: AbortSignal;
  /** Called as bytes arrive (at most every `progressMs`): bytes on disk, total when known, bytes resumed from. */
  readonly onProgress?: (p: DownloadProgress) => void;
  readonly progressMs?: number;
  readonly now?: () => number;
}

export interface DownloadProgress {
  readonly bytes: number;
  readonly total: number | null;
  readonly resumedFrom: number;
}

export interface DownloadResult {
  /** Absolute path of the kept file. */
  readonly file: string;
  readonly manifest: BulkFileManifest;
  /** Bytes already on disk when this download started (0 = from the start). */
  readonly resumedFrom: number;
  /** True when the server said the last downloaded file is current (304): nothing was downloaded. */
  readonly reused: boolean;
}

interface PartMeta {
  url: string;
  etag: string | null;
  lastModified: string | null;
}

const PART = 'EBA.zip.part';

/** Download (or resume, or reuse) `EBA.zip` from `url`. */
export async function downloadEbaZip(opts: DownloadOptions): Promise<DownloadResult> {
  const now = opts.now ?? Date.now;
  const dir = bulkDir(opts.dataDir);
  await mkdir(dir, { recursive: true });
  const part = path.join(dir, PART);
  const metaFile = `${part}.json`;
  const manifestEntry = await readManifestEntry(opts.url, opts.signal);

  const meta = await readFile(metaFile, 'utf8').then((t) => JSON.parse(t) as PartMeta).catch(() => null);
  const have = meta && meta.url === opts.url ? ((await stat(part).catch(() => null))?.size ?? 0) : 0;
  const headers: Record<string, string> = { 'Accept-Encoding': 'identity' };
  const latest = await readLatest(opts.dataDir);
  if (have > 0 && (meta!.etag || meta!.lastModified)) {
    headers.Range = `bytes=${have}-`;
    headers['If-Range'] = (meta!.etag ?? meta!.lastModified)!;
  } else if (latest && latest.url === opts.url && latest.etag) {
    headers['If-None-Match'] = latest.etag;
  }

  const res = await fetch(opts.url, { headers, signal: opts.signal, redirect: 'follow' }).catch((e: unknown) => {
    throw netError(opts.url, e, opts.signal);
  });
  if (res.status === 304 && latest) {
    await res.body?.cancel();
    const file = path.join(dir, latest.file);
    const manifest = JSON.parse(await readFile(`${file}.json`, 'utf8')) as BulkFileManifest;
    return { file, manifest, resumedFrom: 0, reused: true };
  }
  if (res.status !== 200 && res.status !== 206) {
    await res.body?.cancel();
    throw new EtlError('ETL_HTTP_STATUS', 'source', `bulk download: HTTP ${res.status} from ${opts.url}`, { details: { status: res.status } });
  }
  const etag = res.headers.get('etag');
  const lastModified = res.headers.get('last-modified');
  let start = 0;
  if (res.status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
    if (!m || Number(m[1]) !== have) {
      await res.body?.cancel();
      throw new EtlError('ETL_HTTP_STATUS', 'source', `bulk download: the server resumed at the wrong offset (${res.headers.get('content-range') ?? 'no Content-Range'}, asked ${have})`);
    }
    start = have;
  }
  const length = res.headers.get('content-length');
  const total = length !== null ? start + Number(length) : null;
  await writeFile(`${metaFile}.tmp`, JSON.stringify({ url: opts.url, etag, lastModified } satisfies PartMeta));
  await rename(`${metaFile}.tmp`, metaFile);

  // The hash covers the bytes already on disk, then the new ones as they are appended.
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
  if (!res.body) throw new EtlError('ETL_BODY_TRUNCATED', 'source', `bulk download: empty body from ${opts.url}`);
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
    throw netError(opts.url, e, opts.signal, bytes);
  }
  report(true);
  if (total !== null && bytes !== total) {
    throw new EtlError('ETL_BODY_TRUNCATED', 'source', `bulk download: ${bytes} of ${total} bytes arrived; run the same command again to continue`);
  }
  const sha256 = hash.digest('hex');
  const name = keptName(sha256);
  const file = path.join(dir, name);
  await rename(part, file);
  const manifest: BulkFileManifest = {
    version: BULK_MANIFEST_VERSION,
    dataset: 'EBA.zip',
    file: name,
    source_path: null,
    url: opts.url,
    bytes,
    sha256,
    etag,
    last_modified: lastModified,
    manifest_entry: manifestEntry,
    received_at: new Date(now()).toISOString(),
  };
  await writeBulkManifest(opts.dataDir, manifest);
  await writeLatest(opts.dataDir, { file: name, sha256, url: opts.url, etag });
  await rm(metaFile, { force: true });
  return { file, manifest, resumedFrom: start, reused: false };
}

/** The bulk manifest's EBA entry (`<dir of url>/manifest.txt`), or null when it cannot be read: it is only recorded. */
async function readManifestEntry(url: string, signal: AbortSignal): Promise<Record<string, unknown> | null> {
  try {
    const res = await fetch(new URL('manifest.txt', url), { signal, redirect: 'follow' });
    if (!res.ok) {
      await res.body?.cancel();
      return null;
    }
    const doc = (await res.json()) as { dataset?: { EBA?: Record<string, unknown> } };
    return doc.dataset?.EBA ?? null;
  } catch {
    if (signal.aborted) throw new EtlError('ETL_ABORTED', 'source', 'interrupted');
    return null;
  }
}

function netError(url: string, e: unknown, signal: AbortSignal, bytes?: number): EtlError {
  if (e instanceof EtlError) return e;
  if (signal.aborted) {
    return new EtlError('ETL_ABORTED', 'source', `interrupted${bytes !== undefined ? ` after ${bytes} bytes of EBA.zip (kept; the next run continues)` : ''}`, { cause: e });
  }
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (e as Error).message ?? String(e);
  return new EtlError('ETL_NETWORK', 'source', `bulk download from ${url} failed (${why})${bytes !== undefined ? `; ${bytes} bytes kept, run the same command again to continue` : ''}`, { cause: e });
}
