/**
 * The Sink conformance suite (`testSink`) and the fixtures sink tests share. Every sink passes the same cases:
 * empty page, write + commit + close persists (read back), idempotent close, write/commit after close throws
 * `ETL_SINK_CLOSED`, re-writing a unit replaces instead of duplicating, `abortUnit` discards staged pages, and
 * interleaved units are staged per unit.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ObservationRecord, PageBatch, QuarantineRecord, Sink, UnitEnd, WorkUnit } from '../../src/core/contracts.js';
import { isEtlError } from '../../src/core/errors.js';
import { HOUR_MS } from '../../src/core/time.js';

/** What a sink's test factory returns. */
export interface SinkHarness {
  sink: Sink;
  /** Ids of what is persisted (read back from disk/DB), one per item, duplicates kept. */
  persisted(): Promise<string[]>;
  /** The ids `persisted` must return once exactly these batches (the latest copy of each unit) are committed. */
  idsOf(batches: readonly PageBatch[]): string[];
  /** Release anything the sink did not (e.g. a warehouse). Called after `sink.close()`. */
  dispose?(): Promise<void>;
}

/** Make a harness for a fresh sink writing into `dataDir`. Called again with the same dir for a second run. */
export type SinkFactory = (dataDir: string) => Promise<SinkHarness>;

// ───────────────────────────── fixtures ─────────────────────────────

/** A region-data unit of 2024 (`n` picks the window: January, February, …). */
export function fixtureUnit(n: number, opts: { respondents?: string[]; dataset?: WorkUnit['dataset'] } = {}): WorkUnit {
  const startMs = Date.UTC(2024, n, 1, 1);
  return Object.freeze({
    id: `${opts.dataset ?? 'region-data'}-2024-u${String(n).padStart(4, '0')}`,
    dataset: opts.dataset ?? 'region-data',
    facets: Object.freeze({ respondent: opts.respondents ?? ['AAA', 'BBB'], type: ['D', 'NG'] }),
    startMs,
    endMs: startMs + 24 * 20 * HOUR_MS,
    year: 2024,
    expectedRows: 0,
  });
}

/** `count` records of the unit from row `offset` on: series cycle over respondents × (D, NG), then hours. */
export function fixtureRecords(
  unit: WorkUnit,
  offset: number,
  count: number,
  value: (i: number) => number | null = (i) => i * 10 + 0.5,
  ingestedAt = Date.UTC(2024, 11, 1),
): ObservationRecord[] {
  const resp = unit.facets.respondent ?? ['AAA'];
  const series = ['D', 'NG'];
  const perHour = resp.length * series.length;
  const out: ObservationRecord[] = [];
  for (let k = 0; k < count; k++) {
    const i = offset + k;
    const s = i % perHour;
    const v = value(i);
    out.push({
      dataset: unit.dataset,
      respondent: resp[Math.floor(s / series.length)],
      respondent_name: `${resp[Math.floor(s / series.length)]} Authority`,
      series: series[s % series.length],
      series_name: series[s % series.length] === 'D' ? 'Demand' : 'Net generation',
      period: unit.startMs + Math.floor(i / perHour) * HOUR_MS,
      value: v,
      units: 'MWh',
      flags: v === null ? 1 : 0,
      source_page: `${unit.id}-p${offset}`,
      ingested_at: ingestedAt,
    });
  }
  return out;
}

/** A page batch of `records` (with `quarantined` rejected rows) at `offset`; body is an EIA-like envelope. */
export function fixtureBatch(
  unit: WorkUnit,
  offset: number,
  records: readonly ObservationRecord[],
  opts: { quarantined?: number; total?: number; bodyExtra?: string } = {},
): PageBatch {
  const pageId = `${unit.id}-p${offset}`;
  const quarantined: QuarantineRecord[] = Array.from({ length: opts.quarantined ?? 1 }, (_, i) => ({
    dataset: unit.dataset,
    reason: 'BAD_VALUE',
    detail: `value: found "x${i}", expected a number`,
    raw: JSON.stringify({ period: '2024-01-01T00', value: `x${i}` }),
    source_page: pageId,
    row_index: records.length + i,
    ingested_at: Date.UTC(2024, 11, 1),
  }));
  const rows = records.map((r) => ({
    period: new Date(r.period).toISOString().slice(0, 13),
    respondent: r.respondent,
    'respondent-name': r.respondent_name,
    type: r.series,
    'type-name': r.series_name,
    value: r.value === null ? null : String(r.value),
    'value-units': 'megawatthours',
  }));
  const total = opts.total ?? offset + rows.length + quarantined.length;
  const body = Buffer.from(
    JSON.stringify({
      response: { total: String(total), dateFormat: 'YYYY-MM-DD"T"HH24', frequency: 'hourly', data: rows, description: 'x' },
      request: { command: '/v2/electricity/rto/region-data/data/', params: { api_key: 'REDACTED', offset: String(offset) } },
      apiVersion: '2.1.8',
      ...(opts.bodyExtra ? { extra: opts.bodyExtra } : {}),
    }),
  );
  const envelopeRows = [...rows, ...quarantined.map(() => ({}))];
  const envelope = { total, rows: envelopeRows, warnings: [], apiVersion: '2.1.8', frequency: 'hourly', dateFormat: 'YYYY-MM-DD"T"HH24' };
  return {
    kind: 'page',
    page: {
      unit,
      offset,
      pageId,
      body,
      url: `https://api.eia.gov/v2/electricity/rto/region-data/data/?api_key=REDACTED&offset=${offset}&length=5000&facets[respondent][]=AAA`,
      status: 200,
      latencyMs: 120,
      attempts: 1,
      fetchedAt: '2024-12-01T00:00:00.000Z',
      envelope,
    },
    envelope,
    records,
    quarantined,
    duplicates: 0,
  };
}

/** The unit-end of a unit after `batches`. */
export function fixtureEnd(unit: WorkUnit, batches: readonly PageBatch[]): UnitEnd {
  const rows = batches.reduce((n, b) => n + b.envelope.rows.length, 0);
  return { kind: 'unit-end', unit, total: rows, pages: batches.length, rowsReceived: rows };
}

/** A unit of `pages` pages of `perPage` records each (1 quarantined row per page). */
export function fixtureUnitBatches(unit: WorkUnit, pages: number, perPage: number, value?: (i: number) => number | null): PageBatch[] {
  return Array.from({ length: pages }, (_, p) => fixtureBatch(unit, p * perPage, fixtureRecords(unit, p * perPage, perPage, value)));
}

/** Write batches and commit the unit. */
export async function writeUnit(sink: Sink, batches: readonly PageBatch[]): Promise<void> {
  for (const b of batches) await sink.write(b);
  await sink.commitUnit(fixtureEnd(batches[0].page.unit, batches));
}

/** A temp data dir per test, removed afterEach. */
export function useTempDir(prefix = 'eia-sink-'): () => string {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return () => dir;
}

const sorted = (xs: readonly string[]) => [...xs].sort();

// ───────────────────────────── the suite ─────────────────────────────

/** Run the conformance cases against `factory`. */
export function testSink(name: string, factory: SinkFactory): void {
  describe(`Sink contract: ${name}`, () => {
    const dataDir = useTempDir();
    const open: SinkHarness[] = [];
    const make = async () => {
      const h = await factory(dataDir());
      open.push(h);
      return h;
    };
    afterEach(async () => {
      for (const h of open.splice(0)) {
        await h.sink.close().catch(() => undefined);
        await h.dispose?.();
      }
    });

    it('commits a page with no rows and persists nothing but that page', async () => {
      const h = await make();
      const unit = fixtureUnit(0);
      const batches = [fixtureBatch(unit, 0, [], { quarantined: 0 })];
      await writeUnit(h.sink, batches);
      await h.sink.close();
      expect(sorted(await h.persisted())).toEqual(sorted(h.idsOf(batches)));
    });

    it('persists written pages after commitUnit and close (read back)', async () => {
      const h = await make();
      const batches = fixtureUnitBatches(fixtureUnit(1), 3, 40);
      await writeUnit(h.sink, batches);
      await h.sink.close();
      const got = await h.persisted();
      expect(got.length).toBeGreaterThan(0);
      expect(sorted(got)).toEqual(sorted(h.idsOf(batches)));
    });

    it('close is idempotent', async () => {
      const h = await make();
      await writeUnit(h.sink, fixtureUnitBatches(fixtureUnit(2), 1, 8));
      await h.sink.close();
      await expect(h.sink.close()).resolves.toBeUndefined();
    });

    it('write and commitUnit after close throw ETL_SINK_CLOSED', async () => {
      const h = await make();
      await h.sink.close();
      const [b] = fixtureUnitBatches(fixtureUnit(3), 1, 4);
      const w = await h.sink.write(b).then(() => null, (e: unknown) => e);
      expect(isEtlError(w, 'ETL_SINK_CLOSED')).toBe(true);
      const c = await h.sink.commitUnit(fixtureEnd(b.page.unit, [b])).then(() => null, (e: unknown) => e);
      expect(isEtlError(c, 'ETL_SINK_CLOSED')).toBe(true);
    });

    it('re-writing a unit (same sink and a later run) replaces it rather than duplicating', async () => {
      const unit = fixtureUnit(4);
      const first = fixtureUnitBatches(unit, 3, 20, (i) => i);
      const second = fixtureUnitBatches(unit, 3, 20, (i) => i + 1000);
      const third = fixtureUnitBatches(unit, 2, 20, (i) => i + 5000);
      const h = await make();
      await writeUnit(h.sink, first);
      await writeUnit(h.sink, second);
      await h.sink.close();
      await h.dispose?.();
      open.splice(open.indexOf(h), 1);
      const h2 = await make();
      await writeUnit(h2.sink, third); // later run, fewer pages
      await h2.sink.close();
      expect(sorted(await h2.persisted())).toEqual(sorted(h2.idsOf(third)));
    });

    it('abortUnit discards the staged pages of that unit only', async () => {
      const h = await make();
      const a = fixtureUnitBatches(fixtureUnit(5), 2, 10);
      const b = fixtureUnitBatches(fixtureUnit(6), 2, 10);
      await h.sink.write(a[0]);
      await h.sink.write(b[0]);
      await h.sink.write(a[1]);
      await h.sink.abortUnit(a[0].page.unit.id);
      await h.sink.write(b[1]);
      await h.sink.commitUnit(fixtureEnd(b[0].page.unit, b));
      await h.sink.close();
      expect(sorted(await h.persisted())).toEqual(sorted(h.idsOf(b)));
    });

    it('stages interleaved units separately and commits each whole', async () => {
      const h = await make();
      const a = fixtureUnitBatches(fixtureUnit(7), 2, 12);
      const b = fixtureUnitBatches(fixtureUnit(8, { respondents: ['CCC'] }), 2, 12);
      await h.sink.write(a[0]);
      await h.sink.write(b[0]);
      await h.sink.write(b[1]);
      await h.sink.write(a[1]);
      await h.sink.commitUnit(fixtureEnd(b[0].page.unit, b));
      await h.sink.commitUnit(fixtureEnd(a[0].page.unit, a));
      await h.sink.close();
      expect(sorted(await h.persisted())).toEqual(sorted(h.idsOf([...a, ...b])));
    });
  });
}
