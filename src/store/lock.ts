/**
 * One writer per data directory: an exclusive lock file `<dataDir>/eia.lock` holding the owner's pid.
 *
 * Taken with `O_EXCL`. A lock whose pid is no longer alive (a crashed run) is taken over; a live owner — another
 * process, or another open warehouse in this process — gives `ETL_LOCKED`. Released (deleted) on close.
 */
import { readFileSync } from 'node:fs';
import { open, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EtlError } from '../core/errors.js';

/** Lock file name inside the data directory. */
export const LOCK_FILE = 'eia.lock';

/** A held lock. */
export interface DirLock {
  readonly file: string;
  release(): Promise<void>;
}

/**
 * True when a process with this pid exists and is not a zombie (EPERM: exists, not ours). A run killed with
 * kill -9 stays a zombie until its parent reaps it; when the parent died too (a killed `npm run`) that is up to
 * the init process, and a restart in between would otherwise see the dead run's lock as held. The state is read
 * from `/proc/<pid>/stat` where there is one (Linux); elsewhere an existing pid counts as alive.
 */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // "pid (comm) S …": comm may hold spaces and parentheses; the state follows the last ')'.
  const state = stat[stat.lastIndexOf(')') + 2];
  return state === 'Z' || state === 'X';
}

/** Take the lock of `dataDir` or throw `ETL_LOCKED` naming the holder. */
export async function acquireLock(dataDir: string): Promise<DirLock> {
  const file = path.join(dataDir, LOCK_FILE);
  const body = JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(file, 'wx');
      try {
        await fh.writeFile(body);
        await fh.sync();
      } finally {
        await fh.close();
      }
      let released = false;
      return {
        file,
        release: async () => {
          if (released) return;
          released = true;
          await rm(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = await readHolder(file);
    if (holder && holder.pid !== undefined && pidAlive(holder.pid) && (holder.host === undefined || holder.host === os.hostname())) {
      throw new EtlError('ETL_LOCKED', 'sink', `data directory ${dataDir} is in use by pid ${holder.pid} (${file}); wait for it or stop it`, {
        details: { pid: holder.pid, file },
      });
    }
    if (!holder && (await youngerThan(file, 5_000))) {
      // Unreadable but fresh: its owner is probably between create and write.
      throw new EtlError('ETL_LOCKED', 'sink', `data directory ${dataDir} is being locked by another process (${file})`, {
        details: { file },
      });
    }
    // Stale (dead pid, or unreadable and old because a writer died mid-write): take it over.
    await rm(file, { force: true });
  }
  throw new EtlError('ETL_LOCKED', 'sink', `could not take the lock ${file} (contended)`, { details: { file } });
}

async function readHolder(file: string): Promise<{ pid?: number; host?: string } | null> {
  try {
    const j = JSON.parse(await readFile(file, 'utf8')) as { pid?: unknown; host?: unknown };
    return { pid: typeof j.pid === 'number' ? j.pid : undefined, host: typeof j.host === 'string' ? j.host : undefined };
  } catch {
    return null;
  }
}

async function youngerThan(file: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(file)).mtimeMs < ms;
  } catch {
    return false;
  }
}
