/**
 * The raw archive's copy of a bulk file: the file exactly as received, kept once, with a manifest entry beside it.
 *
 *   <dataDir>/raw/bulk/EBA-<12 hex of sha256>.zip        the file as downloaded (or a hard link to --bulk-file)
 *   <dataDir>/raw/bulk/EBA-<12 hex of sha256>.zip.json   its manifest entry: sha256, bytes, where it came from,
 *                                                        the server's ETag/Last-Modified, the bulk manifest's
 *                                                        EBA entry (its `last_updated` = the build time)
 *   <dataDir>/raw/bulk/EBA.latest.json                   which kept file the last download produced (conditional GET)
 *
 * A multi-GB file is never copied: a download is written in place (`EBA.zip.part`, renamed when complete), and a
 * `--bulk-file` on the same file system is hard-linked; on another file system (or where links are refused) the
 * manifest points at the file's own path instead, and the archive holds no copy of it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/** Manifest version of the kept-file entries. */
export const BULK_MANIFEST_VERSION = 1;

/** The directory of kept bulk files. */
export function bulkDir(dataDir: string): string {
  return path.join(dataDir, 'raw', 'bulk');
}

/** What `EBA-<tag>.zip.json` holds. */
export interface BulkFileManifest {
  version: number;
  /** `EBA.zip`. */
  dataset: string;
  /** File name inside `raw/bulk/`, or null when the archive only points at `source_path`. */
  file: string | null;
  /** Absolute path of the `--bulk-file` given (null for a download). */
  source_path: string | null;
  /** Download URL (null for `--bulk-file`). */
  url: string | null;
  bytes: number;
  sha256: string;
  etag: string | null;
  last_modified: string | null;
  /** The bulk manifest's `dataset.EBA` entry when it could be read (its `last_updated` is the build time). */
  manifest_entry: Record<string, unknown> | null;
  /** ISO-8601 UTC. */
  received_at: string;
}

/** The 12 hex digits that name a kept file and tag its units. */
export function fileTag(sha256: string): string {
  return sha256.slice(0, 12);
}

export function keptName(sha256: string): string {
  return `EBA-${fileTag(sha256)}.zip`;
}

/** sha256 and size of a file, streamed. */
export async function hashFile(file: string, signal?: AbortSignal): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(
    createReadStream(file, { highWaterMark: 1024 * 1024 }),
    async (src: AsyncIterable<Buffer>) => {
      for await (const c of src) {
        hash.update(c);
        bytes += c.length;
      }
    },
    { signal },
  );
  return { sha256: hash.digest('hex'), bytes };
}

/** Write a kept file's manifest entry (temp file + rename: a reader never sees half of it). */
export async function writeBulkManifest(dataDir: string, m: BulkFileManifest): Promise<string> {
  const dir = bulkDir(dataDir);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${keptName(m.sha256)}.json`);
  await writeFile(`${file}.tmp`, `${JSON.stringify(m, null, 1)}\n`);
  await rename(`${file}.tmp`, file);
  return file;
}

/**
 * Keep a `--bulk-file`: hard-link it into the archive under its sha256 name (nothing to do when it is there
 * already), or point at it when a link is impossible. Returns the manifest entry written.
 */
export async function keepLocalFile(
  dataDir: string,
  source: string,
  facts: { sha256: string; bytes: number },
  now: () => number,
): Promise<BulkFileManifest> {
  const dir = bulkDir(dataDir);
  await mkdir(dir, { recursive: true });
  const name = keptName(facts.sha256);
  const target = path.join(dir, name);
  let kept: string | null = name;
  const existing = await stat(target).catch(() => null);
  if (!existing || existing.size !== facts.bytes) {
    try {
      await link(path.resolve(source), target);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') kept = name;
      else kept = null; // EXDEV (another file system), EPERM…: the manifest points at the file instead
    }
  }
  const m: BulkFileManifest = {
    version: BULK_MANIFEST_VERSION,
    dataset: 'EBA.zip',
    file: kept,
    source_path: path.resolve(source),
    url: null,
    bytes: facts.bytes,
    sha256: facts.sha256,
    etag: null,
    last_modified: null,
    manifest_entry: null,
    received_at: new Date(now()).toISOString(),
  };
  await writeBulkManifest(dataDir, m);
  return m;
}

/** The pointer to the last downloaded file. */
export interface LatestPointer {
  file: string;
  sha256: string;
  url: string;
  etag: string | null;
}

export async function readLatest(dataDir: string): Promise<LatestPointer | null> {
  try {
    const p = JSON.parse(await readFile(path.join(bulkDir(dataDir), 'EBA.latest.json'), 'utf8')) as LatestPointer;
    if (typeof p.file !== 'string' || typeof p.sha256 !== 'string') return null;
    const st = await stat(path.join(bulkDir(dataDir), p.file)).catch(() => null);
    return st?.isFile() ? p : null;
  } catch {
    return null;
  }
}

export async function writeLatest(dataDir: string, p: LatestPointer): Promise<void> {
  const file = path.join(bulkDir(dataDir), 'EBA.latest.json');
  await writeFile(`${file}.tmp`, `${JSON.stringify(p, null, 1)}\n`);
  await rename(`${file}.tmp`, file);
}
