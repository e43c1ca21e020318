import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PageBatch, Sink, UnitEnd } from '../../src/core/contracts.js';
import { EtlError, isEtlError } from '../../src/core/errors.js';
import { createFanOut } from '../../src/sinks/fan-out.js';
import { createParquetSink } from '../../src/sinks/parquet/sink.js';
import { createQuarantineFilesSink } from '../../src/sinks/quarantine-files.js';
import { createRawArchiveSink } from '../../src/sinks/raw-archive.js';
import { openWarehouse } from '../../src/pipelines/warehouse.js';
import { fixtureEnd, fixtureUnit, fixtureUnitBatches, testSink, useTempDir, writeUnit } from '../support/sink-contract.js';

/** A sink that records calls and can be told to fail. */
function probe(name: string, log: string[], fail: { write?: boolean; commit?: boolean; close?: boolean } = {}, delayMs = 0): Sink {
  let closes = 0;
  return {
    name,
    async write(b: PageBatch) {
      await new Promise((r) => setTimeout(r, delayMs));
      log.push(`${name}.write ${b.page.pageId}`);
      if (fail.write) throw new Error('disk full');
    },
    async commitUnit(e: UnitEnd) {
      log.push(`${name}.commit ${e.unit.id}`);
      if (fail.commit) throw new EtlError('ETL_SINK_WRITE', 'sink', 'boom');
    },
    async abortUnit(id: string) {
      log.push(`${name}.abort ${id}`);
    },
    async close() {
      log.push(`${name}.close ${++closes}`);
      if (fail.close) throw new Error('close failed');
    },
  };
}

const fanOutHarness = (background: boolean) => async (dataDir: string) => {
  const w = await openWarehouse(dataDir, { memoryLimit: '64MB', threads: 1 });
  const sink = createFanOut(
    [
      createRawArchiveSink({ dataDir, fsync: false }),
      createParquetSink({ dataDir, fsync: false, duckdb: w.instance }),
      createQuarantineFilesSink({ dataDir, fsync: false }),
      w.sink,
    ],
    { background },
  );
  return {
    sink,
    persisted: async () => {
      const c = await w.connect();
      const rows = (await c.runAndReadAll(`SELECT source_page, count(*)::INTEGER FROM observations GROUP BY 1`)).getRows();
      c.closeSync();
      const pages = new Set<string>();
      const root = path.join(dataDir, 'raw', 'eia', 'region-data', '2024');
      for (const f of await readdir(root).catch(() => [] as string[])) if (f.endsWith('.manifest.json')) {
        for (const p of JSON.parse(await readFile(path.join(root, f), 'utf8')).pages) pages.add(p.page_id);
      }
      const counts = new Map(rows.map(([p, n]) => [String(p), Number(n)]));
      return [...pages].map((p) => `${p}:${counts.get(p) ?? 0}`);
    },
    idsOf: (batches: readonly PageBatch[]) => batches.map((b) => `${b.page.pageId}:${b.records.length}`),
    dispose: () => w.close(),
  };
};
testSink('fan-out (raw + parquet + quarantine + duckdb)', fanOutHarness(false));
testSink('fan-out, background commits (raw + parquet + quarantine + duckdb)', fanOutHarness(true));

describe('fan-out', () => {
  const dataDir = useTempDir();

  it('awaits every sink’s write (the slowest paces the flow) and commits the sinks in order', async () => {
    const log: string[] = [];
    const f = createFanOut([probe('raw', log, {}, 20), probe('parquet', log), probe('duckdb', log, {}, 5)]);
    const [b] = fixtureUnitBatches(fixtureUnit(0), 1, 2);
    await f.write(b);
    expect(log.filter((l) => l.includes('.write')).length).toBe(3);
    log.length = 0;
    await f.commitUnit(fixtureEnd(b.page.unit, [b]));
    expect(log).toEqual([`raw.commit ${b.page.unit.id}`, `parquet.commit ${b.page.unit.id}`, `duckdb.commit ${b.page.unit.id}`]);
  });

  it('a sink failing to commit stops the commit: later sinks (the ledger) never commit; the error names the sink', async () => {
    const log: string[] = [];
    const f = createFanOut([probe('raw', log), probe('parquet', log, { commit: true }), probe('duckdb', log)]);
    const [b] = fixtureUnitBatches(fixtureUnit(1), 1, 2);
    await f.write(b);
    const e = await f.commitUnit(fixtureEnd(b.page.unit, [b])).then(() => null, (x: unknown) => x);
    expect(isEtlError(e, 'ETL_SINK_WRITE')).toBe(true);
    expect((e as EtlError).details.sink).toBe('parquet');
    expect((e as Error).message).toMatch(/^parquet: /);
    expect(log.some((l) => l.startsWith('duckdb.commit'))).toBe(false);
    const again = await f.write(b).then(() => null, (x: unknown) => x);
    expect(again).toBe(e);
  });

  it('a failing write is tagged with the sink’s name as ETL_SINK_WRITE', async () => {
    const f = createFanOut([probe('raw', []), probe('parquet', [], { write: true })]);
    const [b] = fixtureUnitBatches(fixtureUnit(2), 1, 2);
    const e = await f.write(b).then(() => null, (x: unknown) => x);
    expect(isEtlError(e, 'ETL_SINK_WRITE')).toBe(true);
    expect((e as Error).message).toBe('parquet: write failed: disk full');
  });

  it('abortUnit forwards to every sink; close closes all once even when one fails, and is idempotent', async () => {
    const log: string[] = [];
    const f = createFanOut([probe('a', log, { close: true }), probe('b', log)]);
    await f.abortUnit('u1');
    expect(log).toEqual(['a.abort u1', 'b.abort u1']);
    await expect(f.close()).rejects.toThrow(/^a: close failed/);
    await f.close().catch(() => undefined);
    expect(log.filter((l) => l.includes('.close'))).toEqual(['a.close 1', 'b.close 1']);
  });

  it('background mode: commitUnit returns before the commit ends; units commit one at a time, in order, sinks in order; close waits', async () => {
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const slow = (name: string): Sink => ({
      ...probe(name, log),
      async commitUnit(e: UnitEnd) {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 30));
        log.push(`${name}.commit ${e.unit.id}`);
        running--;
      },
    });
    const f = createFanOut([slow('raw'), slow('duckdb')], { background: true });
    const units = [fixtureUnit(10), fixtureUnit(11), fixtureUnit(12)].map((u) => fixtureUnitBatches(u, 1, 2));
    await f.write(units[0][0]);
    await f.commitUnit(fixtureEnd(units[0][0].page.unit, units[0]));
    expect(log.some((l) => l.includes('.commit'))).toBe(false); // returned before the (2 × 30 ms) commit ended
    await f.write(units[1][0]); // staging the next unit while the first commits
    await f.commitUnit(fixtureEnd(units[1][0].page.unit, units[1])); // waits for the first unit's commit
    expect(log.filter((l) => l.includes('.commit'))).toEqual([`raw.commit ${units[0][0].page.unit.id}`, `duckdb.commit ${units[0][0].page.unit.id}`]);
    await f.write(units[2][0]);
    await f.commitUnit(fixtureEnd(units[2][0].page.unit, units[2]));
    await f.close();
    expect(log.filter((l) => l.includes('.commit'))).toEqual(
      units.flatMap((b) => [`raw.commit ${b[0].page.unit.id}`, `duckdb.commit ${b[0].page.unit.id}`]),
    );
    expect(maxRunning).toBe(1);
    expect(log.at(-1)).toMatch(/\.close 1$/);
  });

  it('background mode: a failed commit stops later sinks, is thrown by the next write, and otherwise by close (once)', async () => {
    const log: string[] = [];
    const [a, b] = [fixtureUnit(13), fixtureUnit(14)].map((u) => fixtureUnitBatches(u, 1, 2));
    const f = createFanOut([probe('raw', log), probe('parquet', log, { commit: true }), probe('duckdb', log)], { background: true });
    await f.write(a[0]);
    await f.commitUnit(fixtureEnd(a[0].page.unit, a)); // returns; the commit fails in the background
    await new Promise((r) => setTimeout(r, 10));
    const e = await f.write(b[0]).then(() => null, (x: unknown) => x);
    expect(isEtlError(e, 'ETL_SINK_WRITE')).toBe(true);
    expect((e as EtlError).details.sink).toBe('parquet');
    expect(log.some((l) => l.startsWith('duckdb.commit'))).toBe(false);
    await expect(f.close()).resolves.toBeUndefined(); // already reported by write

    const g = createFanOut([probe('raw', []), probe('parquet', [], { commit: true })], { background: true });
    await g.write(a[0]);
    await g.commitUnit(fixtureEnd(a[0].page.unit, a));
    await expect(g.close()).rejects.toThrow(/^parquet: boom/); // the last unit's failure: close reports it
    await expect(g.close()).resolves.toBeUndefined();
  });

  it('background mode with the real sinks: the ledger lists exactly the units every sink holds', async () => {
    const w = await openWarehouse(dataDir());
    const f = createFanOut(
      [createRawArchiveSink({ dataDir: dataDir(), fsync: false }), createParquetSink({ dataDir: dataDir(), fsync: false, duckdb: w.instance }), w.sink],
      { background: true },
    );
    const units = [15, 16, 17].map((n) => fixtureUnitBatches(fixtureUnit(n), 2, 30));
    for (const u of units) await writeUnit(f, u);
    await f.close();
    expect([...(await w.completedUnitIds())].sort()).toEqual(units.map((u) => u[0].page.unit.id).sort());
    const c = await w.connect();
    expect((await c.runAndReadAll('SELECT count(*)::INTEGER FROM observations')).getRows()).toEqual([[180]]);
    c.closeSync();
    await w.close();
  });

  it('with the real sinks, a unit whose Parquet commit fails is not in the ledger; earlier units stay done', async () => {
    const w = await openWarehouse(dataDir());
    const parquet = createParquetSink({ dataDir: dataDir(), fsync: false, duckdb: w.instance });
    const failing: Sink = { ...parquet, name: 'parquet', commitUnit: async (e) => (e.unit.id.endsWith('0004') ? Promise.reject(new Error('ENOSPC')) : parquet.commitUnit(e)) };
    const f = createFanOut([createRawArchiveSink({ dataDir: dataDir(), fsync: false }), failing, w.sink]);
    await writeUnit(f, fixtureUnitBatches(fixtureUnit(3), 1, 4));
    await expect(writeUnit(f, fixtureUnitBatches(fixtureUnit(4), 1, 4))).rejects.toThrow(/parquet: commitUnit failed: ENOSPC/);
    await f.close();
    expect([...(await w.completedUnitIds())]).toEqual([fixtureUnit(3).id]);
    await w.close();
  });
});
