import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FlowItem, PageBatch, Sink, Source, SourceItem, UnitEnd, WorkUnit } from '../../src/core/contracts.js';
import { EtlError, isEtlError } from '../../src/core/errors.js';
import { runFlow } from '../../src/pipelines/flow.js';

const unit = (id: string): WorkUnit => ({
  id, dataset: 'region-data', facets: { respondent: ['PACW'], type: ['D'] }, startMs: 0, endMs: 3_600_000, year: 2024, expectedRows: 2,
});

function page(u: WorkUnit, offset: number, rows: Record<string, unknown>[] = []): SourceItem {
  const envelope = { total: rows.length, rows, warnings: [], apiVersion: null, frequency: null, dateFormat: null };
  return {
    kind: 'page',
    page: { unit: u, offset, pageId: `${u.id}-p${offset}`, body: Buffer.from('{}'), url: 'x', status: 200, latencyMs: 1, attempts: 1, fetchedAt: '', envelope },
  };
}

/** A source of `units` × `pages` that records how far it ran ahead of the consumer. */
function fakeSource(units: number, pages: number, log: string[]): Source {
  return {
    async *read() {
      for (let u = 0; u < units; u++) {
        const wu = unit(`u${u}`);
        for (let p = 0; p < pages; p++) {
          log.push(`fetch u${u}-p${p}`);
          yield page(wu, p);
        }
        yield { kind: 'unit-end', unit: wu, total: pages * 2, pages, rowsReceived: pages * 2 } satisfies UnitEnd;
      }
    },
  };
}

/** Turns pages into batches of 2 rows (1 loaded, 1 quarantined, or a broken account when asked). */
const toBatches = (broken = false) =>
  async function* (items: AsyncIterable<SourceItem>): AsyncIterable<FlowItem> {
    for await (const it of items) {
      if (it.kind !== 'page') {
        yield it;
        continue;
      }
      const rows = [{}, {}];
      yield {
        kind: 'page', page: it.page, envelope: { total: 2, rows, warnings: [], apiVersion: null, frequency: null, dateFormat: null },
        records: [{} as never], quarantined: broken ? [] : [{} as never], duplicates: 0,
      } satisfies PageBatch;
    }
  };

function recordingSink(log: string[], opts: { slowMs?: number; failOnCommit?: string } = {}): Sink {
  return {
    name: 'rec',
    async write(b) {
      if (opts.slowMs) await new Promise((r) => setTimeout(r, opts.slowMs));
      log.push(`write ${b.page.pageId}`);
    },
    async commitUnit(e) {
      if (opts.failOnCommit === e.unit.id) throw new EtlError('ETL_SINK_WRITE', 'sink', 'disk full');
      log.push(`commit ${e.unit.id}`);
    },
    async abortUnit(id) {
      log.push(`abort ${id}`);
    },
    async close() {},
  };
}

describe('runFlow', () => {
  it('accounts every row and commits each unit after its pages', async () => {
    const log: string[] = [];
    const counts = await runFlow({ source: fakeSource(2, 3, log), transforms: [toBatches()], sink: recordingSink(log), signal: new AbortController().signal });
    expect(counts).toMatchObject({ pages: 6, units: 2, rowsReceived: 12, rowsLoaded: 6, rowsQuarantined: 6, rowsDuplicate: 0 });
    expect(log.indexOf('commit u0')).toBeGreaterThan(log.indexOf('write u0-p2'));
    expect(log.indexOf('commit u0')).toBeLessThan(log.indexOf('write u1-p0'));
  });

  it('lets a slow sink pace the source: the source never runs far ahead of the writes', async () => {
    const log: string[] = [];
    await runFlow({ source: fakeSource(1, 40, log), transforms: [toBatches()], sink: recordingSink(log, { slowMs: 2 }), signal: new AbortController().signal });
    let maxAhead = 0;
    let fetched = 0;
    let written = 0;
    for (const l of log) {
      if (l.startsWith('fetch')) fetched++;
      if (l.startsWith('write')) written++;
      maxAhead = Math.max(maxAhead, fetched - written);
    }
    expect(written).toBe(40);
    // Function stages chain as async iterables: the source is pulled one item at a time by the consumer.
    expect(maxAhead).toBeLessThanOrEqual(2);
  });

  it('fails with ETL_INTERNAL when a page is not fully accounted for, before any sink sees it', async () => {
    const log: string[] = [];
    const err = await runFlow({ source: fakeSource(1, 1, log), transforms: [toBatches(true)], sink: recordingSink(log), signal: new AbortController().signal }).catch((e) => e);
    expect(isEtlError(err, 'ETL_INTERNAL')).toBe(true);
    expect(err).toMatchObject({ stage: 'pipeline', details: { pageId: 'u0-p0', received: 2, records: 1, quarantined: 0, duplicates: 0 } });
    expect(log).not.toContain('write u0-p0');
  });

  it('stops on a sink failure, aborts the open unit and commits nothing after it', async () => {
    const log: string[] = [];
    const err = await runFlow({ source: fakeSource(3, 2, log), transforms: [toBatches()], sink: recordingSink(log, { failOnCommit: 'u1' }), signal: new AbortController().signal }).catch((e) => e);
    expect(isEtlError(err, 'ETL_SINK_WRITE')).toBe(true);
    expect(log).toContain('commit u0');
    expect(log).not.toContain('commit u2');
    expect(log).toContain('abort u1');
  });

  it('rejects with ETL_ABORTED when the signal aborts mid-run', async () => {
    const log: string[] = [];
    const ac = new AbortController();
    const sink = recordingSink(log);
    const write = sink.write.bind(sink);
    sink.write = async (b) => {
      await write(b);
      if (b.page.pageId === 'u1-p0') ac.abort(new EtlError('ETL_ABORTED', 'pipeline', 'interrupted by SIGINT'));
    };
    const err = await runFlow({ source: fakeSource(3, 2, log), transforms: [toBatches()], sink, signal: ac.signal }).catch((e) => e);
    expect(isEtlError(err, 'ETL_ABORTED')).toBe(true);
    expect(log).toContain('commit u0');
    expect(log).not.toContain('commit u1');
  });
});

describe('runFlow accounting with the validate+normalize stage', () => {
  afterEach(() => {
    vi.doUnmock('../../src/transforms/validate.js');
    vi.resetModules();
  });

  it('throws ETL_INTERNAL when validation loses a row, and writes nothing', async () => {
    vi.resetModules();
    vi.doMock('../../src/transforms/validate.js', async (importOriginal) => {
      const real = await importOriginal<typeof import('../../src/transforms/validate.js')>();
      return { ...real, validatePage: () => ({ records: [], quarantined: [], duplicates: 0 }) };
    });
    const { validateNormalize } = await import('../../src/transforms/validate-normalize.js');
    const { runFlow: run } = await import('../../src/pipelines/flow.js');
    const log: string[] = [];
    const u = unit('u0');
    const item = page(u, 0, [{ period: '1970-01-01T01', respondent: 'PACW', type: 'D', value: '1' }]);
    const source: Source = {
      async *read() {
        yield item;
      },
    };
    const err = await run({ source, transforms: [validateNormalize()], sink: recordingSink(log), signal: new AbortController().signal }).catch((e) => e);
    // A fresh module graph has its own EtlError class, so check the fields rather than instanceof.
    expect(err).toMatchObject({ name: 'EtlError', code: 'ETL_INTERNAL', stage: 'pipeline' });
    expect(err.details).toMatchObject({ received: 1, records: 0, pageId: 'u0-p0' });
    expect(log.filter((l) => l.startsWith('write'))).toEqual([]);
  });
});
