/**
 * The durable budget record and the limiter on top of it: seeding from an earlier process's sends, several
 * writers on one file (in this process and in child processes), corrections, compaction, the lock.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openBudgetRecord, type BudgetRecord } from '../../../src/sources/eia/budget-record.js';
import { createRateLimiter } from '../../../src/sources/eia/rate-limiter.js';
import { maxInAnyWindow } from '../../../src/core/windows.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../../..');
const dirs: string[] = [];
const opened: BudgetRecord[] = [];
afterEach(async () => {
  for (const r of opened.splice(0)) await r.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tmpFile(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'eia-budget-'));
  dirs.push(d);
  return path.join(d, 'budget.log');
}
function rec(file: string, now?: () => number): BudgetRecord {
  const r = openBudgetRecord(file, { horizonMs: 3_601_000, now });
  opened.push(r);
  return r;
}
/** Effective send times in a record file (a correction replaces its reservation's time). */
async function sendTimes(file: string): Promise<number[]> {
  const byKey = new Map<string, number>();
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    const p = line.trim().split(' ');
    if (p.length >= 2) byKey.set(`${p[1]} ${p[0]}`, Number(p[2] ?? p[0]));
  }
  return [...byKey.values()];
}

describe('budget record', () => {
  it('a second writer sees the first one\'s reservations and corrections, never its own', async () => {
    const file = await tmpFile();
    const a = rec(file);
    const b = rec(file);
    expect(await a.reserve(() => 1_000)).toBe(1_000);
    const seen: number[][] = [];
    await b.reserve((f) => (seen.push(f.map((x) => x.t)), null));
    expect(seen).toEqual([[]]); // 1,000 ms epoch is older than the horizon: ignored
    const now = Date.now();
    await a.reserve(() => now);
    a.sent(now, now + 300); // a new connection: the headers left 300 ms later
    while (!(await readFile(file, 'utf8')).includes(` ${now + 300}\n`)) await new Promise((r) => setTimeout(r, 5));
    const keys: string[] = [];
    await b.reserve((f) => (seen.push(f.map((x) => x.t)), keys.push(...f.map((x) => x.key)), null));
    expect(seen[1]).toEqual([now, now + 300]);
    expect(new Set(keys).size).toBe(1); // the same request, moved
    await a.reserve((f) => (seen.push(f.map((x) => x.t)), null));
    expect(seen[2]).toEqual([]); // a never gets its own lines back
  });

  it('compacts lines older than the horizon once the file is large, and other writers follow the new file', async () => {
    const file = await tmpFile();
    const old = Date.now() - 2 * 3_600_000;
    await writeFile(file, Array.from({ length: 8000 }, (_, i) => `${old + i} deadbeef`).join('\n') + '\n');
    const before = (await stat(file)).size;
    const a = rec(file);
    const b = rec(file);
    const t = Date.now();
    await a.reserve(() => t);
    const after = (await stat(file)).size;
    expect(before).toBeGreaterThan(64 * 1024);
    expect(after).toBeLessThan(100);
    let got: number[] = [];
    await b.reserve((f) => ((got = f.map((x) => x.t)), null));
    expect(got).toEqual([t]);
  });

  it('takes over a lock left by a dead process', async () => {
    const file = await tmpFile();
    await writeFile(`${file}.lock`, '2147483646'); // no such pid
    const a = rec(file);
    expect(await a.reserve(() => Date.now())).not.toBeNull();
  });
});

describe('the limiter on the record', () => {
  it('starts from the sends an earlier process recorded: the hour budget already spent is not spent again', async () => {
    const file = await tmpFile();
    const now = Date.now();
    // An earlier process spent 3 of 4 in the last minute.
    await writeFile(file, [now - 60_000, now - 50_000, now - 40_000].map((t) => `${t} 0badc0de`).join('\n') + '\n');
    const limiter = createRateLimiter({ requestsPerHour: 4, requestsPerSecond: 5, record: rec(file) });
    const ac = new AbortController();
    const starts: number[] = [];
    const jobs = [0, 1].map(() => limiter.schedule(async () => void starts.push(Date.now()), ac.signal).catch(() => undefined));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(starts).toHaveLength(1); // the 4th of the hour; the 5th waits ~59 min
    expect(limiter.budgetUsed()).toBe(4);
    expect(limiter.stats().recordedSends).toBe(3);
    ac.abort();
    await Promise.all(jobs);
  });

  it('three processes sharing one record stay within 5 per second together', async () => {
    const file = await tmpFile();
    const child = path.join(HERE, 'helpers', 'budget-child.ts');
    const run = () =>
      new Promise<void>((resolve, reject) =>
        execFile(process.execPath, ['--import', 'tsx', child, file, '8'], { cwd: REPO, timeout: 120_000 }, (e) => (e ? reject(e) : resolve())),
      );
    await Promise.all([run(), run(), run()]);
    const times = await sendTimes(file);
    expect(times).toHaveLength(24);
    // The rule holds on the record's own times: any 6 consecutive starts span more than 1 s (+ the 50 ms margin).
    expect(maxInAnyWindow(times, 1000)).toBeLessThanOrEqual(5);
  });
});
