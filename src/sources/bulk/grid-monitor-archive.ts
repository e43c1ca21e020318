/**
 * The raw archive's copies of the six-month Grid Monitor CSVs: each file exactly as received, kept under its name and
 * the first 12 hex digits of its sha256 (EIA refreshes the current half-year's file and re-issues old ones, so one
 * name can stand for several contents), with a manifest entry beside it.
 *
 *   <dataDir>/raw/gridmonitor/EIA930_BALANCE_2018_Jan_Jun-<sha12>.csv        the file as downloaded (or a hard link)
 *   <dataDir>/raw/gridmonitor/EIA930_BALANCE_2018_Jan_Jun-<sha12>.csv.json   sha256, bytes, where it came from, ETag
 *   <dataDir>/raw/gridmonitor/EIA930_BALANCE_2018_Jan_Jun.latest.json        the last download of that name
 *                                                                           (its ETag: a conditional GET next time)
 *   <dataDir>/raw/gridmonitor/EIA930_BALANCE_2018_Jan_Jun.csv.part (+ .json) a download in progress (resumed)
 *
 * A `--grid-monitor-dir` file on the same file system is hard-linked, elsewhere the manifest points at it.
 */
import { link, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BULK_MANIFEST_VERSION, fileTag, type BulkFileManifest } from './bulk-archive.js';

export function gridMonitorDir(dataDir: string): string {
  return path.join(dataDir, 'raw', 'gridmonitor');
}

/** `EIA930_BALANCE_2018_Jan_Jun-<sha12>.csv`. */
export function keptCsvName(name: string, sha256: string): string {
  return `${name.replace(/\.csv$/, '')}-${fileTag(sha256)}.csv`;
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(`${file}.tmp`, `${JSON.stringify(value, null, 1)}\n`);
  await rename(`${file}.tmp`, file);
}

/** Write a kept file's manifest entry (temp file + rename). */
export async function writeCsvManifest(dataDir: string, name: string, m: BulkFileManifest): Promise<void> {
  const dir = gridMonitorDir(dataDir);
  await mkdir(dir, { recursive: true });
  await writeJson(path.join(dir, `${keptCsvName(name, m.sha256)}.json`), m);
}

/** Keep a local file: hard-link it under its kept name, or point at it. Returns its manifest entry. */
export async function keepLocalCsv(
  dataDir: string,
  name: string,
  source: string,
  facts: { sha256: string; bytes: number },
  now: () => number,
): Promise<BulkFileManifest> {
  const dir = gridMonitorDir(dataDir);
  await mkdir(dir, { recursive: true });
  const kept = keptCsvName(name, facts.sha256);
  const target = path.join(dir, kept);
  let file: string | null = kept;
  const existing = await stat(target).catch(() => null);
  if (!existing || existing.size !== facts.bytes) {
    await link(path.resolve(source), target).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') file = null; // EXDEV, EPERM…: the manifest points at the file instead
    });
  }
  const m: BulkFileManifest = {
    version: BULK_MANIFEST_VERSION,
    dataset: name,
    file,
    source_path: path.resolve(source),
    url: null,
    bytes: facts.bytes,
    sha256: facts.sha256,
    etag: null,
    last_modified: null,
    manifest_entry: null,
    received_at: new Date(now()).toISOString(),
  };
  await writeCsvManifest(dataDir, name, m);
  return m;
}

/** The last download of a name: its kept file and ETag, when the file is still there. */
export interface CsvLatest {
  file: string;
  sha256: string;
  url: string;
  etag: string | null;
}

export async function readCsvLatest(dataDir: string, name: string): Promise<CsvLatest | null> {
  const dir = gridMonitorDir(dataDir);
  try {
    const p = JSON.parse(await readFile(path.join(dir, `${name.replace(/\.csv$/, '')}.latest.json`), 'utf8')) as CsvLatest;
    if (typeof p.file !== 'string' || typeof p.sha256 !== 'string') return null;
    return (await stat(path.join(dir, p.file)).catch(() => null))?.isFile() ? p : null;
  } catch {
    return null;
  }
}

export async function writeCsvLatest(dataDir: string, name: string, p: CsvLatest): Promise<void> {
  await writeJson(path.join(gridMonitorDir(dataDir), `${name.replace(/\.csv$/, '')}.latest.json`), p);
}
