import { describe, expect, it } from 'vitest';
import type { FlowItem, PageBatch, SourceItem } from '../../src/core/contracts.js';
import { isEtlError } from '../../src/core/errors.js';
import { parseEnvelope } from '../../src/sources/eia/envelope.js';
import { validateNormalize } from '../../src/transforms/validate-normalize.js';
import { bodyOf, collect, datasetOf, from, loadRecorded, pageOf, unitOf } from './fixtures/pages.js';

const signal = new AbortController().signal;
const row = (hour: string, value: unknown, type = 'D') => ({ period: `2024-01-01T${hour}`, respondent: 'ERCO', type, value });
const batches = (items: FlowItem[]) => items.filter((x): x is PageBatch => x.kind === 'page');

describe('validateNormalize stage', () => {
  it('turns every recorded 200 page into a batch whose records match total, dataset taken from the unit', async () => {
    const pages = loadRecorded().filter((r) => r.status === 200);
    const items: SourceItem[] = pages.map((r, i) => ({ kind: 'page', page: pageOf(unitOf(datasetOf(r.uri), '2023-01-01T00', '2024-01-04T00', `u${i}`), r.body) }));
    const out = batches(await collect(validateNormalize({ ingestedAt: 7 })(from(items), { signal })));
    expect(out).toHaveLength(pages.length);
    out.forEach((b, i) => {
      expect(b.records).toHaveLength(b.envelope.total);
      expect(b.quarantined).toHaveLength(0);
      expect(b.records.every((r) => r.dataset === datasetOf(pages[i].uri) && r.source_page === `u${i}-p0` && r.ingested_at === 7)).toBe(true);
    });
  });

  it('accounts for every row of a mixed page: records + quarantined + duplicates = received', async () => {
    const rows = [row('01', '10'), row('02', 'abc'), row('03', '30'), row('03', '31'), 'junk', row('04', null), row('05', '1', 'CO2.EM')];
    const unit = unitOf('region-data', '2024-01-01T00', '2024-01-02T00');
    const [b] = batches(await collect(validateNormalize()(from<SourceItem>([{ kind: 'page', page: pageOf(unit, bodyOf(rows)) }]), { signal })));
    expect(b.records.map((r) => r.value)).toEqual([10, 31, null]);
    expect(b.quarantined.map((q) => q.reason)).toEqual(['BAD_VALUE', 'NOT_AN_OBJECT', 'UNKNOWN_TYPE']);
    expect(b.duplicates).toBe(1);
    expect(b.records.length + b.quarantined.length + b.duplicates).toBe(rows.length);
  });

  it('uses the envelope the source parsed and never reads the body', async () => {
    const unit = unitOf('region-data');
    const envelope = parseEnvelope(bodyOf([row('01', '10')]));
    const first = pageOf(unit, 'not json', 0, envelope);
    const items: SourceItem[] = [
      { kind: 'page', page: first },
      { kind: 'page', page: pageOf(unit, '<html>', 1, parseEnvelope(bodyOf([row('02', '20')]))) },
    ];
    const out = batches(await collect(validateNormalize()(from(items), { signal })));
    expect(out[0].envelope).toBe(envelope);
    expect(out[0].page).toBe(first);
    expect(out.map((b) => b.records[0].value)).toEqual([10, 20]);
  });

  it('passes unit-end and unit-restart through in order', async () => {
    const unit = unitOf('region-data');
    const items: SourceItem[] = [
      { kind: 'unit-restart', unit, reason: 'paging mismatch' },
      { kind: 'page', page: pageOf(unit, bodyOf([row('01', '10')])) },
      { kind: 'unit-end', unit, total: 1, pages: 1, rowsReceived: 1 },
    ];
    const out = await collect(validateNormalize()(from(items), { signal }));
    expect(out.map((x) => x.kind)).toEqual(['unit-restart', 'page', 'unit-end']);
    expect(out[0]).toBe(items[0]);
    expect(out[2]).toBe(items[2]);
  });

  it('quarantines rows outside the unit window unless enforceUnitWindow is false', async () => {
    const unit = unitOf('region-data', '2024-01-01T00', '2024-01-01T02');
    const body = bodyOf([row('01', '1'), row('02', '2')]);
    const run = async (enforceUnitWindow: boolean) =>
      batches(await collect(validateNormalize({ enforceUnitWindow })(from<SourceItem>([{ kind: 'page', page: pageOf(unit, body) }]), { signal })))[0];
    expect((await run(true)).quarantined.map((q) => q.reason)).toEqual(['OUT_OF_WINDOW']);
    expect((await run(false)).records).toHaveLength(2);
  });

  it('passes rule options through (negative-generation tolerance)', async () => {
    const unit = unitOf('fuel-type-data');
    const body = bodyOf([{ period: '2024-01-01T01', respondent: 'CISO', fueltype: 'SUN', value: '-60' }]);
    const flagsWith = async (t: number) =>
      batches(await collect(validateNormalize({ negativeGenerationToleranceMwh: t })(from<SourceItem>([{ kind: 'page', page: pageOf(unit, body) }]), { signal })))[0].records[0].flags;
    expect(await flagsWith(-50)).not.toBe(0);
    expect(await flagsWith(-100)).toBe(0);
  });

  it('throws ETL_CONFIG_INVALID at creation for bad options', () => {
    expect(() => validateNormalize({ outlierMedians: -1 })).toThrow(expect.objectContaining({ code: 'ETL_CONFIG_INVALID' }));
    expect(() => validateNormalize({ ingestedAt: NaN })).toThrow(expect.objectContaining({ code: 'ETL_CONFIG_INVALID' }));
  });

  it('rejects with ETL_ABORTED once the signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await collect(validateNormalize()(from<SourceItem>([{ kind: 'page', page: pageOf(unitOf('region-data'), bodyOf([])) }]), { signal: ac.signal })).catch((e) => e);
    expect(isEtlError(err, 'ETL_ABORTED')).toBe(true);
  });
});
