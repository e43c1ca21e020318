/**
 * Crash-safe file updates in the data directory: the file sinks (raw archive, Parquet, quarantine files) write
 * through them, and the raw archive reader and start-up recovery roll their journals forward.
 *
 * One file: write a temp file in the same directory, fsync it, rename it over the target, fsync the directory.
 * Several files at once (a unit's pages and manifest; a partition's new and superseded Parquet files): a
 * **journal** of renames and removals is written atomically first — that write is the commit point — then
 * applied. `recoverJournals` re-applies any journal left by a crash (roll forward), so after the next start
 * either all of a commit is visible or none of it. Applying a journal is idempotent.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { EtlError } from '../core/errors.js';

/** What one commit does: renames (temp → final, in order) then removals. Paths are absolute. */
export interface JournalOps {
  readonly renames: ReadonlyArray<readonly [from: string, to: string]>;
  readonly removes: readonly string[];
}

/** Directory (below `dataDir`) holding the journals of interrupted commits. */
export const JOURNAL_DIR = '.journal';

/** fsync a file or directory by path (directories: best effort, some filesystems refuse). */
export async function fsyncPath(p: string): Promise<void> {
  const fh = await open(p, 'r');
  try {
    await fh.sync();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EINVAL' && (e as NodeJS.ErrnoException).code !== 'EISDIR') throw e;
  } finally {
    await fh.close();
  }
}

/**
 * Write `data` to `file` (creating parents), fsynced when `fsync`; not atomic on its own (use a temp name).
 * `knownDirs`: directories already created, so the `mkdir` call is skipped (recreated if gone since).
 */
export async function writeFileDurable(file: string, data: Uint8Array | string, fsync = true, knownDirs?: Set<string>): Promise<void> {
  const dir = path.dirname(file);
  const skipped = knownDirs?.has(dir) === true;
  if (!skipped) {
    await mkdir(dir, { recursive: true });
    knownDirs?.add(dir);
  }
  let fh;
  try {
    fh = await open(file, 'w');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || !skipped) throw e;
    knownDirs!.delete(dir); // removed since: create it again (once)
    return writeFileDurable(file, data, fsync, knownDirs);
  }
  try {
    await fh.writeFile(data);
    if (fsync) await fh.sync();
  } finally {
    await fh.close();
  }
}

/** A temp name in the same directory as `file`: hidden, so globs like `*.parquet` never match it. */
export function tempPathFor(file: string, tag = randomBytes(4).toString('hex')): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${tag}.tmp`);
}

/** Replace `file` atomically with `data`: readers see the old or the new content, never a mix. */
export async function writeFileAtomic(file: string, data: Uint8Array | string, fsync = true): Promise<void> {
  const tmp = tempPathFor(file);
  try {
    await writeFileDurable(tmp, data, fsync);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  if (fsync) await fsyncPath(path.dirname(file));
}

/**
 * Commit several file changes as one: write the journal (atomically), apply it, delete it. A crash after the
 * journal is written is finished by `recoverJournals`; a crash before leaves the old state (and temp files).
 */
export async function commitJournal(journalFile: string, ops: JournalOps, fsync = true): Promise<void> {
  await writeFileAtomic(journalFile, JSON.stringify(ops), fsync);
  await applyJournal(journalFile, ops, fsync);
}

/** Apply a journal (idempotent: a rename whose source is gone was done already) and delete it. */
export async function applyJournal(journalFile: string, ops: JournalOps, fsync = true): Promise<void> {
  const dirs = new Set<string>();
  for (const [from, to] of ops.renames) {
    try {
      await rename(from, to);
      dirs.add(path.dirname(to));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  for (const f of ops.removes) {
    try {
      await unlink(f);
      dirs.add(path.dirname(f));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  if (fsync) for (const d of dirs) await fsyncPath(d);
  await rm(journalFile, { force: true });
}

/**
 * Roll forward every journal in `<dataDir>/.journal` whose name starts with `prefix` (e.g. `raw-`), then delete the
 * hidden temp files of journals that were never written (`.<prefix>….json.<tag>.tmp`: a crash before the rename
 * that is the commit point). Called when a file sink or the raw archive reader starts, before it commits anything.
 * Throws `ETL_SINK_WRITE` when a journal cannot be read or applied.
 */
export async function recoverJournals(dataDir: string, prefix: string): Promise<number> {
  const dir = path.join(dataDir, JOURNAL_DIR);
  let all: string[];
  try {
    all = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  const names = all.filter((n) => n.startsWith(prefix) && n.endsWith('.json'));
  await Promise.all(
    all.filter((n) => n.startsWith(`.${prefix}`) && n.endsWith('.tmp')).map((n) => rm(path.join(dir, n), { force: true })),
  );
  for (const n of names.sort()) {
    const file = path.join(dir, n);
    try {
      const ops = JSON.parse(await readFile(file, 'utf8')) as JournalOps;
      await applyJournal(file, ops);
    } catch (e) {
      throw new EtlError('ETL_SINK_WRITE', 'sink', `cannot recover interrupted commit ${file}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  return names.length;
}

/** Journal file path for one sink and unit. */
export function journalPath(dataDir: string, sinkPrefix: string, unitId: string): string {
  return path.join(dataDir, JOURNAL_DIR, `${sinkPrefix}${unitId}.json`);
}

/** A hidden temp file of this module's naming (`tempPathFor`, the raw archive's staged pages and manifests). */
export const isTempName = (name: string) => name.startsWith('.') && name.endsWith('.tmp');

/**
 * Delete the hidden temp files (`isTempName`) below `dir`, recursively; returns how many. Only for the data dir's
 * single writer, before it writes: a temp file is never part of a committed state (journals are recovered first).
 */
export async function removeTempFiles(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return 0;
    throw e;
  }
  let n = 0;
  await Promise.all(
    entries.map(async (e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) n += await removeTempFiles(p);
      else if (isTempName(e.name)) {
        await rm(p, { force: true });
        n++;
      }
    }),
  );
  return n;
}
