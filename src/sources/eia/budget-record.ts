/**
 * The durable budget record: every request's send time, appended to a file that outlives the process and that
 * several processes sharing one key may share. The limiter seeds its windows from the record's last hour, and
 * before each start re-reads what other writers appended since, so that together they stay under the limits.
 *
 * File format, one line per event (text, `\n`-terminated, each written with one `write` on an `O_APPEND` file):
 *
 *     <grantMs> <writerId>              a reservation: the request may leave from now on
 *     <grantMs> <writerId> <sentMs>     sent: its headers went out at sentMs (until then others count it as pending)
 *
 * Protocol: a writer takes the lock file `<record>.lock` (O_EXCL, holding its pid), reads the lines appended since
 * its last read, lets the limiter decide, appends its reservation and releases the lock; only then is the request
 * sent. A kill -9 therefore never loses a send: the line is in the kernel before the request leaves. fdatasync
 * follows in the background (`syncSoon`), so a power cut may lose the last moment's lines — the machine's restart
 * takes longer than the 1-s window, and the hour window may then be over by those few requests (docs/decisions.md).
 * A lock whose holder is dead, or older than `STALE_LOCK_MS`, is taken over.
 * The record is compacted under the lock (entries older than the horizon dropped, temp file + rename); readers
 * notice the new inode and re-read it, and the limiter ignores entries it already has.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { EtlError } from '../../core/errors.js';

/** A send time another writer (or an earlier process) recorded. `key` identifies the request across corrections. */
export interface RecordedSend {
  readonly key: string;
  readonly t: number;
  /** False for a reservation whose send line has not been read yet: the request may still be about to leave. */
  readonly sent: boolean;
}

/** What the limiter uses. */
export interface BudgetRecord {
  readonly path: string;
  /**
   * Under the lock: `decide` gets the sends other writers recorded since the last call (the whole record, from
   * `nowMs − horizonMs`, at the first call) and returns the grant time to reserve, or null to reserve nothing.
   * The reservation is on disk when this resolves.
   */
  reserve(decide: (foreign: readonly RecordedSend[]) => number | null): Promise<number | null>;
  /** A reserved request's headers went out at `sentMs`: written at once, without the lock. */
  sent(grantMs: number, sentMs: number): void;
  /** Wait for pending writes and close the file (idempotent). */
  close(): Promise<void>;
}

/** A lock held longer than this belongs to a stuck or dead process (a holder keeps it for a few ms). */
export const STALE_LOCK_MS = 5_000;
/** Compact once the file is this large and has doubled since the last compaction. */
const COMPACT_MIN_BYTES = 64 * 1024;

/**
 * Open (create) the record at `file`. `horizonMs` is how far back entries matter (the longest window + margin);
 * `now` is the clock the entries are judged by.
 * @throws EtlError ETL_CONFIG_INVALID when the record's directory cannot be created.
 */
export function openBudgetRecord(file: string, opts: { horizonMs: number; now?: () => number }): BudgetRecord {
  const now = opts.now ?? Date.now;
  const lockPath = `${file}.lock`;
  const writer = randomBytes(4).toString('hex');
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (e) {
    throw new EtlError('ETL_CONFIG_INVALID', 'config', `--budget-file: cannot create the directory of '${file}' (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // The file operations of a transaction are synchronous: each takes microseconds on the page cache, while the
  // libuv pool they would otherwise queue on is shared with the raw archive's gzip, which on a loaded machine made
  // every reservation wait behind it. Only fdatasync, which can take milliseconds, runs on the pool.
  let fd: number | null = null;
  let ino = -1;
  let offset = 0;
  let tail = '';
  let compactedAt = 0;
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;
  /** Others' sends read during a compaction, handed to the limiter at the next reserve. */
  let backlog: RecordedSend[] = [];

  /** Serialize this writer's transactions (waiting for the lock is asynchronous). */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  }

  async function lock(): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      if (staleLock(lockPath)) rmSync(lockPath, { force: true });
      else await new Promise((r) => setTimeout(r, Math.min(20, 1 + i)));
    }
  }

  function reopen(): void {
    if (fd !== null) closeSync(fd);
    fd = openSync(file, 'a+');
    ino = fstatSync(fd).ino;
    offset = 0;
    tail = '';
  }

  /** Read the lines appended since the last read into the backlog (reopening after another writer compacted). */
  function readNew(): void {
    let st: { ino: number; size: number } | null = null;
    try {
      st = statSync(file);
    } catch {
      st = null;
    }
    if (fd === null || !st || st.ino !== ino || st.size < offset) reopen();
    const size = fstatSync(fd!).size;
    if (size <= offset) return;
    const buf = Buffer.alloc(size - offset);
    const n = readSync(fd!, buf, 0, buf.length, offset);
    offset += n;
    const text = tail + buf.subarray(0, n).toString('utf8');
    const cut = text.lastIndexOf('\n');
    tail = text.slice(cut + 1);
    const from = now() - opts.horizonMs;
    for (const line of text.slice(0, cut + 1).split('\n')) {
      const e = parseLine(line);
      if (e && e.writer !== writer && e.t > from) backlog.push({ key: `${e.writer} ${e.grant}`, t: e.t, sent: e.sent });
    }
  }

  /** One write on the O_APPEND descriptor; read back at the next read as our own line (skipped). */
  function append(line: string): void {
    writeSync(fd!, line);
    syncSoon();
  }

  /**
   * fdatasync in the background, one at a time (later appends ride on the next one). The write above already
   * survives a kill -9 (it is in the kernel's page cache); the datasync only matters for a power cut, and waiting
   * for it before each send cost up to ~30 ms per request on the loaded 2-core machine (p50 1.4 ms).
   */
  let syncing: Promise<void> | null = null;
  let syncAgain = false;
  function syncSoon(): void {
    if (fd === null) return;
    if (syncing) {
      syncAgain = true;
      return;
    }
    const target = fd;
    syncing = new Promise<void>((resolve) => fdatasync(target, () => resolve())).then(() => {
      syncing = null;
      if (syncAgain && !closed) {
        syncAgain = false;
        syncSoon();
      }
    });
  }

  function compactIfLarge(): void {
    const size = fstatSync(fd!).size;
    if (size < COMPACT_MIN_BYTES || size < 2 * compactedAt) return;
    readNew(); // nothing of others' may be dropped unread
    const buf = Buffer.alloc(size);
    const n = readSync(fd!, buf, 0, size, 0);
    const from = now() - opts.horizonMs;
    const keep = buf
      .subarray(0, n)
      .toString('utf8')
      .split('\n')
      .filter((l) => (parseLine(l)?.t ?? -Infinity) > from);
    const tmp = `${file}.${writer}.tmp`;
    const body = keep.length ? `${keep.join('\n')}\n` : '';
    const t = openSync(tmp, 'w');
    try {
      writeSync(t, body);
      fdatasyncSync(t);
    } finally {
      closeSync(t);
    }
    renameSync(tmp, file);
    reopen();
    offset = Buffer.byteLength(body);
    compactedAt = offset;
  }

  async function transaction<T>(fn: () => T): Promise<T> {
    if (closed) throw new EtlError('ETL_INTERNAL', 'source', `budget record ${file} is closed`);
    try {
      await lock();
      try {
        return fn();
      } finally {
        rmSync(lockPath, { force: true });
      }
    } catch (e) {
      // A full disk or a lost permission in the data directory: the same failure a sink reports, named here.
      if (e instanceof EtlError) throw e;
      const err = e as NodeJS.ErrnoException;
      // Node's message already starts with the code ("ENOSPC: no space left on device, write").
      const why = err.code && !err.message.startsWith(err.code) ? `${err.code}: ${err.message}` : err.message;
      throw new EtlError('ETL_SINK_WRITE', 'source', `cannot write the key's budget record ${file}: ${why}`);
    }
  }

  return {
    path: file,
    reserve: (decide) =>
      serial(() =>
        transaction(() => {
          readNew();
          const foreign = backlog;
          backlog = [];
          const grant = decide(foreign);
          if (grant === null) return null;
          append(`${grant} ${writer}\n`);
          compactIfLarge();
          return grant;
        }),
      ),
    sent(grantMs, sentMs) {
      if (closed || fd === null) return;
      // Without the lock: one small O_APPEND write lands whole. This writer reads it back as its own (skipped);
      // if a compaction renamed the file meanwhile the correction is lost, and others see the grant time.
      try {
        writeSync(fd, `${grantMs} ${writer} ${sentMs}\n`);
      } catch {
        /* a lost correction only makes others see the earlier grant time */
      }
    },
    async close() {
      if (closed) return;
      await chain;
      closed = true;
      await syncing;
      if (fd !== null) {
        try {
          fdatasyncSync(fd);
        } finally {
          closeSync(fd);
          fd = null;
        }
      }
    },
  };
}

/** One parsed line: the request's identity and its effective time (the correction's sent time when present). */
function parseLine(line: string): { writer: string; grant: number; t: number; sent: boolean } | null {
  const m = /^(\d+) ([0-9a-f]+)(?: (\d+))?$/.exec(line.trim());
  if (!m) return null;
  const grant = Number(m[1]);
  return { writer: m[2], grant, t: m[3] === undefined ? grant : Number(m[3]), sent: m[3] !== undefined };
}

/** The holder's pid is gone, or the lock is older than `STALE_LOCK_MS`. */
function staleLock(lockPath: string): boolean {
  let pid: number;
  try {
    if (Date.now() - statSync(lockPath).mtimeMs > STALE_LOCK_MS) return true;
    pid = Number(readFileSync(lockPath, 'utf8').trim());
  } catch {
    return false; // released meanwhile: try again
  }
  if (!Number.isInteger(pid) || pid <= 0) return false; // being written: wait
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
