import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEbaLine } from '../../../src/sources/bulk/eba-line.js';
import { bulkUnitId, ebaUnits } from '../../../src/sources/bulk/eba-records.js';
import { ebaSelectionOf, peekBuildMs, skipReason, SPAN_HEAD_CHARS } from '../../../src/sources/bulk/eba-select.js';
import { keptLines } from '../../../src/sources/bulk/line-splitter.js';
import { validatePage } from '../../../src/transforms/validate.js';
import { bulkOnlySelectionsFor, selectionsFor } from '../../../src/pipelines/selections.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SAMPLE = path.resolve(here, '../../fixtures/eia-bulk/EBA_sample.txt');
const text = readFileSync(SAMPLE, 'utf8');
const lines = text.split('\n').filter((l) => l.length > 0);
const line = (id: string) => lines.find((l) => l.includes(`"series_id": "${id}"`))!;
const START = Date.UTC(2026, 0, 1);
const END = Date.UTC(2027, 0, 1);
const ALL = selectionsFor(['demand', 'generation', 'interchange', 'subregion'], ['PJM', 'CENT', 'TEC', 'CISO', 'BHBA']);
const sel = ebaSelectionOf(ALL, START, END);
const ctx = { startMs: START, endMs: END, fileTag: 'abcdef012345', groupTag: 'D|D', horizonHours: 72, buildMs: Date.UTC(2026, 8, 22, 15) };

/** The records the validator makes of a sample line's rows, as the API run would store them. */
function records(id: string) {
  const s = parseEbaLine(line(id), START, END)!;
  const [u] = ebaUnits(s, ctx);
  const r = validatePage(u!.rows, { dataset: u!.unit.dataset, sourcePage: `${u!.unit.id}-p0`, ingestedAt: 0, frequency: 'hourly', window: u!.unit });
  expect(r.quarantined).toEqual([]);
  return { unit: u!.unit, rows: u!.rows, records: r.records.map((x) => [x.dataset, x.respondent, x.respondent_name, x.series, x.series_name, new Date(x.period).toISOString().slice(0, 13), x.value]) };
}

describe('EBA sample lines → the API\'s records', () => {
  it('decides on every real line from its head: UTC series of the selection are read, the rest skipped with a reason', () => {
    const got = lines.map((l) => [/"series_id": "([^"]+)"/.exec(l)![1], skipReason(sel, l.slice(0, SPAN_HEAD_CHARS)) ?? 'read']);
    expect(got).toEqual([
      ['EBA.CENT-ALL.NG.COL.H', 'read'],
      ['EBA.CISO-PGAE.D.H', 'read'],
      ['EBA.TEC-FPC.ID.H', 'read'],
      ['EBA.BHBA.CO2.CER.H', 'co2'],
      ['EBA.PJM-ALL.D.H', 'read'],
      ['EBA.PJM-ALL.D.HL', 'local-time'],
    ]);
    // Asked for (`--types co2`), the CO2 line is read; its BA must be among the regions like any series'.
    const withCo2 = ebaSelectionOf([...ALL, ...bulkOnlySelectionsFor(['co2'], ['BHBA'])], START, END);
    expect(skipReason(withCo2, line('EBA.BHBA.CO2.CER.H'))).toBeUndefined();
    expect(skipReason(ebaSelectionOf(bulkOnlySelectionsFor(['co2'], ['PJM']), START, END), line('EBA.BHBA.CO2.CER.H'))).toBe('not-selected');
    const demandOnly = ebaSelectionOf(selectionsFor(['demand'], ['PJM']), START, END);
    expect(skipReason(demandOnly, line('EBA.CENT-ALL.NG.COL.H'))).toBe('not-selected');
    expect(skipReason(demandOnly, line('EBA.PJM-ALL.D.H'))).toBeUndefined();
    // The line's span (start 20190101T00, end 20260922T19) is read from its head too.
    expect(skipReason(ebaSelectionOf(selectionsFor(['demand'], ['PJM']), Date.UTC(2026, 9, 1), END), line('EBA.PJM-ALL.D.H'))).toBe('out-of-range');
    expect(peekBuildMs(line('EBA.PJM-ALL.D.H'))).toBe(Date.UTC(2026, 8, 22, 15));
  });

  it('with the local clock the HL twins are read and the UTC lines skipped; the span is read from local stamps', () => {
    const local = ebaSelectionOf(selectionsFor(['demand'], ['PJM']), START, END, 'local');
    expect(lines.map((l) => skipReason(local, l.slice(0, SPAN_HEAD_CHARS)) ?? 'read')).toEqual([
      'not-selected', 'not-selected', 'not-selected', 'co2', 'utc-time', 'read',
    ]);
    // The HL line's start is 20181231T19-05 (2019-01-01T00 UTC): a job ending at 2019-01-01T00 UTC does not reach it.
    const hl = line('EBA.PJM-ALL.D.HL');
    expect(skipReason(ebaSelectionOf(selectionsFor(['demand'], ['PJM']), Date.UTC(2018, 0, 1), Date.UTC(2019, 0, 1), 'local'), hl)).toBe('out-of-range');
    expect(skipReason(ebaSelectionOf(selectionsFor(['demand'], ['PJM']), Date.UTC(2018, 0, 1), Date.UTC(2019, 0, 1, 1), 'local'), hl)).toBeUndefined();
  });

  it('PJM demand (values with 14 decimal zeros)', () => {
    const r = records('EBA.PJM-ALL.D.H');
    expect(r.records).toEqual([
      ['region-data', 'PJM', 'PJM Interconnection, LLC', 'D', 'Demand', '2026-09-22T17', 94167],
      ['region-data', 'PJM', 'PJM Interconnection, LLC', 'D', 'Demand', '2026-09-22T18', 94535],
      ['region-data', 'PJM', 'PJM Interconnection, LLC', 'D', 'Demand', '2026-09-22T19', 94038],
    ]);
    expect(Object.keys(r.rows[0]!)).toEqual(['period', 'respondent', 'respondent-name', 'type', 'type-name', 'value', 'value-units']);
    expect(r.unit).toMatchObject({ dataset: 'region-data', facets: { respondent: ['PJM'], type: ['D'] }, year: 2026, startMs: START, endMs: END, open: true });
    expect(r.unit.id).toBe(bulkUnitId('abcdef012345', 'region-data', 'PJM', 'D|D', START, END));
    expect(r.unit.id).toMatch(/^bulk-region-data-2026-[0-9a-f]{12}$/);
  });

  it('CENT coal (fuel-type-data), TEC→FPC (interchange-data), CISO/PGAE (region-sub-ba-data)', () => {
    expect(records('EBA.CENT-ALL.NG.COL.H').records).toEqual([
      ['fuel-type-data', 'CENT', 'Central', 'COL', 'Coal', '2026-09-22T02', 13694],
      ['fuel-type-data', 'CENT', 'Central', 'COL', 'Coal', '2026-09-22T03', 12638],
      ['fuel-type-data', 'CENT', 'Central', 'COL', 'Coal', '2026-09-22T04', 11780],
    ]);
    expect(records('EBA.TEC-FPC.ID.H').records).toEqual([
      ['interchange-data', 'TEC', 'Tampa Electric Company', 'FPC', 'Duke Energy Florida, Inc.', '2026-09-20T02', -112],
      ['interchange-data', 'TEC', 'Tampa Electric Company', 'FPC', 'Duke Energy Florida, Inc.', '2026-09-20T03', -183],
      ['interchange-data', 'TEC', 'Tampa Electric Company', 'FPC', 'Duke Energy Florida, Inc.', '2026-09-20T04', -147],
    ]);
    const sub = records('EBA.CISO-PGAE.D.H');
    expect(sub.records).toEqual([
      ['region-sub-ba-data', 'CISO', 'California Independent System Operator', 'PGAE', 'Pacific Gas and Electric', '2026-09-22T05', 12787],
      ['region-sub-ba-data', 'CISO', 'California Independent System Operator', 'PGAE', 'Pacific Gas and Electric', '2026-09-22T06', 11910],
      ['region-sub-ba-data', 'CISO', 'California Independent System Operator', 'PGAE', 'Pacific Gas and Electric', '2026-09-22T07', 11150],
    ]);
    expect(Object.keys(sub.rows[0]!)).toEqual(['period', 'subba', 'subba-name', 'parent', 'parent-name', 'value', 'value-units']);
  });

  it('BHBA CO2 (co2-emissions): metric tons, shaped like region-data, nulls stored as missing', () => {
    const s = parseEbaLine(line('EBA.BHBA.CO2.CER.H'), START, END)!;
    const [u] = ebaUnits(s, ctx);
    expect(u!.unit).toMatchObject({ dataset: 'co2-emissions', facets: { respondent: ['BHBA'], type: ['CER'] }, year: 2026 });
    expect(u!.unit.id).toMatch(/^bulk-co2-emissions-2026-[0-9a-f]{12}$/);
    expect(Object.keys(u!.rows[0]!)).toEqual(['period', 'respondent', 'respondent-name', 'type', 'type-name', 'value', 'value-units']);
    const r = validatePage(u!.rows, { dataset: 'co2-emissions', sourcePage: 'p', ingestedAt: 0, frequency: 'hourly', window: u!.unit });
    expect(r.quarantined).toEqual([]);
    expect(r.records.map((x) => [x.dataset, x.respondent, x.series, x.series_name, x.units, new Date(x.period).toISOString().slice(0, 13), x.value, x.flags])).toEqual(
      [3, 4, 5].map((h) => ['co2-emissions', 'BHBA', 'CER', 'CO2 Emissions Intensity Consumed', 'CO2 metric tons', `2026-09-22T0${h}`, null, 1]),
    );
    // The units are checked per dataset: MWh on the CO2 dataset, or CO2 tons on an API route, are quarantined.
    const mwh = u!.rows.map((row) => ({ ...row, 'value-units': 'megawatthours' }));
    expect(validatePage(mwh, { dataset: 'co2-emissions', sourcePage: 'p', ingestedAt: 0, frequency: 'hourly' }).quarantined[0]).toMatchObject({
      reason: 'BAD_UNITS', detail: 'value-units: found "megawatthours", expected "CO2 metric tons"',
    });
    const demandTons = records('EBA.PJM-ALL.D.H').rows.map((row) => ({ ...row, 'value-units': 'CO2 metric tons' }));
    expect(validatePage(demandTons, { dataset: 'region-data', sourcePage: 'p', ingestedAt: 0, frequency: 'hourly' }).quarantined.map((q) => q.reason)).toEqual(['BAD_UNITS', 'BAD_UNITS', 'BAD_UNITS']);
  });

  it('splits a series into one unit per UTC year, and passes unreadable points to the validator', () => {
    const l = JSON.stringify({
      series_id: 'EBA.PACW-ALL.D.H', name: 'Demand for PacifiCorp West (PACW), hourly - UTC time', units: 'megawatthours', f: 'H',
      start: '20241231T22', end: '20250101T01', last_updated: '01-JAN-25 02.00.00 AM',
      data: [['20250101T01', 'abc'], ['20250101T00', '2'], ['20241231T23', null], ['20241231T22', '4'], ['2024-12-31T21', '5']],
    });
    const s = parseEbaLine(l, 0, END)!;
    const units = ebaUnits(s, { ...ctx, startMs: 0, buildMs: undefined });
    expect(units.map((u) => [u.unit.year, u.rows.map((r) => [r.period, r.value])])).toEqual([
      [2024, [['2024-12-31T22', 4], ['2024-12-31T23', null], ['2024-12-31T21', '5']]],
      [2025, [['2025-01-01T00', 2], ['2025-01-01T01', 'abc']]],
    ]);
    const v = validatePage(units[1]!.rows, { dataset: 'region-data', sourcePage: 'x', ingestedAt: 0, frequency: 'hourly' });
    expect(v.quarantined.map((q) => q.reason)).toEqual(['BAD_VALUE']);
  });
});

describe('keptLines', () => {
  async function* chunked(buf: Buffer, size: number) {
    for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
  }
  it('yields the kept lines whole whatever the chunking, and drops the others from their head', async () => {
    const bytes = Buffer.from(`${text}\n\n`, 'utf8');
    const want = lines.filter((l) => skipReason(sel, l.slice(0, SPAN_HEAD_CHARS)) === undefined);
    for (const size of [1, 7, 100, 1 << 20]) {
      const counts = { lines: 0, kept: 0, bytes: 0 };
      const got: string[] = [];
      for await (const l of keptLines(chunked(bytes, size), SPAN_HEAD_CHARS, (h) => skipReason(sel, h) === undefined, counts)) got.push(l);
      expect(got, `chunk ${size}`).toEqual(want);
      expect(counts).toEqual({ lines: lines.length, kept: want.length, bytes: bytes.length });
    }
  });
});
