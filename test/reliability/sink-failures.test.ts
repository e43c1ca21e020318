/**
 * docs/parts/reliability.md §3 — sink failures: a data directory that becomes unwritable mid-run (the Parquet root or a
 * raw route directory replaced by a regular file: as root, chmod does not stop writes), a disk that fills up mid-run (a
 * small tmpfs filled by a ballast file), and write/commit errors injected through `runFlow` (a Sink wrapper throwing an
 * ENOSPC-like `ETL_SINK_WRITE`). Each ends with a clean one-line error and exit code 1, no unit in the ledger that
 * some sink does not fully hold, and — once the cause is removed — a resume that ends equal to an uninterrupted run.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rename, rm, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PageBatch, Sink, UnitEnd } from '../../src/core/contracts.js';
import { EtlError, isEtlError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { emptyCounts, runFlow } from '../../src/pipelines/flow.js';
import { createFanOut } from '../../src/sinks/fan-out.js';
import { createParquetSink } from '../../src/sinks/parquet/sink.js';
import { createQuarantineFilesSink } from '../../src/sinks/quarantine-files.js';
import { createRawArchiveSink } from '../../src/sinks/raw-archive.js';
import { openWarehouse } from '../../src/pipelines/warehouse.js';
import type { SimulatorHandle } from '../../src/simulator/index.js';
import { createEiaSource } from '../../src/sources/eia/index.js';
import { validateNormalize } from '../../src/transforms/validate-normalize.js';
import {
  KEY,
  SMALL_JOB,
  cliEnv,
  fingerprint,
  isOneLineError,
  jobArgs,
  ledgerProblems,
  plannedUnits,
  runCli,
  startSim,
  summaryOf,
  useTempDirs,
  walk,
  type CliResult,
  type Fingerprint,
} from './helpers.js';

const tmp = useTempDirs('eia-rel-sink-');
let sim: SimulatorHandle;
let ref: Fingerprint;

beforeAll(async () => {
  // Responses take 150–250 ms, so a run lasts long enough to be broken in the middle.
  sim = await startSim({ latency: { baseMs: 150, perRowMs: 0, jitterMs: 100 } });
  const dir = await tmp.shared();
  const r = await runCli(jobArgs(SMALL_JOB, dir), { env: cliEnv(sim.baseUrl) });
  expect(r.code, r.stderr).toBe(0);
  ref = await fingerprint(dir);
}, 180_000);
afterAll(async () => {
  await sim?.close();
});

const manifests = async (dataDir: string, dataset?: string) =>
  (await walk(path.join(dataDir, 'raw', 'eia', dataset ?? ''))).filter((f) => f.endsWith('.manifest.json'));

/** The failed run's contract: exit 1, one line `eia-stream: error: … [ETL_SINK_WRITE]`, no stack trace. */
function expectCleanFailure(r: CliResult, code = 'ETL_SINK_WRITE') {
  expect(r.signal, r.stderr).toBeNull();
  expect(r.code, r.stderr).toBe(1);
  expect(isOneLineError(r.stderr), r.stderr).toBe(true);
  expect(r.stderr).toContain(`[${code}]`);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** Resume in `dataDir` and expect the uninterrupted run's data. */
async function expectResumeEqualsReference(dataDir: string) {
  const again = await runCli(jobArgs(SMALL_JOB, dataDir), { env: cliEnv(sim.baseUrl) });
  expect(again.code, again.stderr).toBe(0);
  expect(summaryOf(await fingerprint(dataDir))).toEqual(summaryOf(ref));
}

describe('a directory that becomes unwritable mid-run', { timeout: 300_000 }, () => {
  it('Parquet root replaced by a regular file: exit 1 with one line, ledger consistent, resume equals an uninterrupted run', async () => {
    const dir = await tmp.dir();
    const pq = path.join(dir, 'parquet');
    let broken = false;
    // Slow requests leave the poller time to break the tree between the first unit and the next: at full speed on
    // a loaded machine the whole job could end before the first manifest was seen.
    const r = await runCli(jobArgs(SMALL_JOB, dir, ['--requests-per-second', '2', '--concurrency', '1']), {
      env: cliEnv(sim.baseUrl),
      kill: {
        when: async () => (await manifests(dir)).length > 0,
        action: async () => {
          await mkdir(pq, { recursive: true });
          await rename(pq, `${pq}.aside`);
          await writeFile(pq, 'not a directory');
          broken = true;
        },
      },
    });
    expect(broken).toBe(true);
    expectCleanFailure(r);
    expect(r.stderr).toContain('parquet');
    // Remove the cause: the committed Parquet files come back where they were.
    await rm(pq);
    await rename(`${pq}.aside`, pq);
    expect(await ledgerProblems(dir)).toEqual([]);
    await expectResumeEqualsReference(dir);
  });

  it('raw route directory replaced by a regular file: exit 1 with one line, ledger consistent, resume equals an uninterrupted run', async () => {
    const dir = await tmp.dir();
    const route = path.join(dir, 'raw', 'eia', 'fuel-type-data');
    let broken = false;
    const r = await runCli(jobArgs(SMALL_JOB, dir), {
      env: cliEnv(sim.baseUrl),
      kill: {
        when: async () => (await manifests(dir, 'region-data')).length > 0,
        action: async () => {
          await mkdir(route, { recursive: true });
          await rename(route, `${route}.aside`);
          await writeFile(route, 'not a directory');
          broken = true;
        },
      },
    });
    expect(broken).toBe(true);
    expectCleanFailure(r);
    expect(r.stderr).toContain('raw-archive');
    await rm(route);
    await rename(`${route}.aside`, route);
    expect(await ledgerProblems(dir)).toEqual([]);
    await expectResumeEqualsReference(dir);
  });
});

/** True when this process may mount a tmpfs (root in a privileged container); probed once. */
async function canMountTmpfs(): Promise<string | null> {
  const probe = await tmp.shared();
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { encoding: 'utf8' });
  if (m.status !== 0) return `mount -t tmpfs refused: ${(m.stderr || m.error?.message || '').trim()}`;
  spawnSync('umount', [probe]);
  return null;
}

describe('a full disk', { timeout: 300_000 }, () => {
  const mounts: string[] = [];
  afterEach(() => {
    for (const m of mounts.splice(0)) spawnSync('umount', ['-l', m]);
  });

  it('a tmpfs filled up mid-run: exit 1 with one line, ledger consistent, resume after freeing space equals an uninterrupted run', async (ctx) => {
    const refused = await canMountTmpfs();
    if (refused) ctx.skip(`cannot test a real full disk here: ${refused}`);
    const mnt = await tmp.dir();
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mnt]).status).toBe(0);
    mounts.push(mnt);
    const dir = path.join(mnt, 'data');
    const ballast = path.join(mnt, 'ballast');
    let filled = false;
    const r = await runCli(jobArgs(SMALL_JOB, dir), {
      env: cliEnv(sim.baseUrl),
      kill: {
        when: async () => (await manifests(dir)).length > 0,
        action: async () => {
          const fs = await statfs(mnt);
          await writeFile(ballast, Buffer.alloc(Number(fs.bavail) * Number(fs.bsize))).catch(() => undefined);
          filled = true;
        },
      },
    });
    expect(filled).toBe(true);
    expectCleanFailure(r);
    expect(r.stderr).toMatch(/ENOSPC|No space left|space/i);
    await rm(ballast);
    expect(await ledgerProblems(dir)).toEqual([]);

    await expectResumeEqualsReference(dir);
  });
});

/** A sink that throws an ENOSPC-like `ETL_SINK_WRITE` at its `failWriteAt`-th write or `failCommitAt`-th commit. */
function failing(sink: Sink, opts: { failWriteAt?: number; failCommitAt?: number }): Sink {
  let writes = 0;
  let commits = 0;
  const enospc = (op: string) =>
    new EtlError('ETL_SINK_WRITE', 'sink', `${sink.name}: ${op}: ENOSPC: no space left on device, write`, { details: { sink: sink.name } });
  return {
    name: sink.name,
    async write(b: PageBatch) {
      if (++writes === opts.failWriteAt) throw enospc(`writing page ${b.page.pageId}`);
      return sink.write(b);
    },
    async commitUnit(e: UnitEnd) {
      if (++commits === opts.failCommitAt) throw enospc(`committing unit ${e.unit.id}`);
      return sink.commitUnit(e);
    },
    abortUnit: (id) => sink.abortUnit(id),
    close: () => sink.close(),
  };
}

/** The historical flow of run.ts (same sinks, same order, same source settings) with one sink wrapped. */
async function flowWithFailingSink(dataDir: string, which: 'parquet' | 'duckdb', opts: { failWriteAt?: number; failCommitAt?: number }) {
  const warehouse = await openWarehouse(dataDir);
  const source = createEiaSource(
    { baseUrl: sim.baseUrl, apiKey: KEY, concurrency: 8, requestsPerHour: 5000, requestsPerSecond: 5 },
    { units: plannedUnits(SMALL_JOB), logger: silentLogger() },
  );
  const parquet = createParquetSink({ dataDir, duckdb: warehouse.instance });
  const sink = createFanOut([
    createRawArchiveSink({ dataDir }),
    which === 'parquet' ? failing(parquet, opts) : parquet,
    createQuarantineFilesSink({ dataDir }),
    which === 'duckdb' ? failing(warehouse.sink, opts) : warehouse.sink,
  ]);
  const counts = emptyCounts();
  try {
    await runFlow({ source, transforms: [validateNormalize({ ingestedAt: Date.now() })], sink, signal: new AbortController().signal }, counts);
    return { error: null, counts };
  } catch (e) {
    return { error: e, counts };
  } finally {
    await sink.close().catch(() => undefined);
    await warehouse.close();
    await source.close?.();
  }
}

describe('write errors injected through runFlow', { timeout: 300_000 }, () => {
  it('ENOSPC at the 3rd Parquet write: ETL_SINK_WRITE naming the sink in one line, ledger consistent, resume equals an uninterrupted run', async () => {
    const dir = await tmp.dir();
    const { error, counts } = await flowWithFailingSink(dir, 'parquet', { failWriteAt: 3 });
    expect(isEtlError(error, 'ETL_SINK_WRITE')).toBe(true);
    expect((error as EtlError).message).toMatch(/^parquet: .*ENOSPC/);
    expect((error as EtlError).message).not.toContain('\n');
    expect(counts.units).toBeLessThan(plannedUnits(SMALL_JOB).length);
    expect(await ledgerProblems(dir)).toEqual([]);
    await expectResumeEqualsReference(dir);
  });

  it('a failing DuckDB commit of the 2nd unit leaves it out of the ledger (other sinks hold it); resume replaces it, no duplicates', async () => {
    const dir = await tmp.dir();
    const { error, counts } = await flowWithFailingSink(dir, 'duckdb', { failCommitAt: 2 });
    expect(isEtlError(error, 'ETL_SINK_WRITE')).toBe(true);
    expect(counts.units).toBe(1);
    const wh = await openWarehouse(dir);
    const done = await wh.completedUnitIds();
    await wh.close();
    expect(done.size).toBe(1);
    // The failed unit's raw manifest was committed (raw commits first), but the unit is not done.
    expect((await manifests(dir)).length).toBe(2);
    expect(await ledgerProblems(dir)).toEqual([]);
    await expectResumeEqualsReference(dir);
  });
});
