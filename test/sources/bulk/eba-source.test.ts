import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import type { SourceItem } from '../../../src/core/contracts.js';
import { isEtlError } from '../../../src/core/errors.js';
import { selectionsFor } from '../../../src/pipelines/selections.js';
import { ebaSelectionOf } from '../../../src/sources/bulk/eba-select.js';
import { createEbaSource } from '../../../src/sources/bulk/eba-source.js';

const line = (id: string, points: [string, string | null][]) =>
  JSON.stringify({ series_id: id, name: id, units: 'megawatthours', f: 'H', start: points.at(-1)![0], end: points[0]![0], last_updated: '01-MAR-25 12.00.00 PM', data: points });
// PACW's lines are split by ERCO's: two runs of lines, so two groups for PACW.
const LINES = [
  line('EBA.PACW-ALL.D.H', [['20250101T01', '2'], ['20250101T00', '1'], ['20241231T23', '0']]),
  line('EBA.PACW-ALL.D.HL', [['20241231T20-05', '1']]),
  line('EBA.ERCO-ALL.D.H', [['20250101T00', '5']]),
  line('EBA.PACW-ALL.DF.H', [['20250101T00', '9']]),
  JSON.stringify({ category_id: '1', name: 'x', childseries: [] }),
];

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eia-eba-source-'));
  file = path.join(dir, 'EBA.zip');
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(`${LINES.join('\n')}\n`), 'EBA.txt');
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  await writeFile(file, Buffer.concat(chunks));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function read(done: ReadonlySet<string> = new Set(), clock: 'utc' | 'local' = 'utc') {
  const src = createEbaSource({
    file,
    what: 'test zip',
    selection: ebaSelectionOf(selectionsFor(['demand', 'forecast'], ['PACW', 'ERCO']), Date.UTC(2024, 0, 1), Date.UTC(2026, 0, 1), clock),
    fileTag: '0123456789ab',
    horizonHours: 72,
    done,
    urlBase: 'bulk:EBA.zip',
    receivedAt: '2025-03-01T12:00:00.000Z',
  });
  const items: SourceItem[] = [];
  for await (const it of src.read(new AbortController().signal)) items.push(it);
  return { items, counts: src.counts() };
}

describe('the EBA source', () => {
  it('groups consecutive lines of a route and respondent per UTC year, each pass of a respondent its own unit ids', async () => {
    const { items, counts } = await read();
    const ends = items.filter((i) => i.kind === 'unit-end');
    expect(ends.map((e) => [e.unit.year, e.unit.facets, e.total])).toEqual([
      [2024, { respondent: ['PACW'], type: ['D'] }, 1],
      [2025, { respondent: ['PACW'], type: ['D'] }, 2],
      [2025, { respondent: ['ERCO'], type: ['D'] }, 1],
      [2025, { respondent: ['PACW'], type: ['DF'] }, 1],
    ]);
    expect(new Set(ends.map((e) => e.unit.id)).size).toBe(4);
    // Every page comes before its unit's end; page ids are unique.
    const pages = items.filter((i) => i.kind === 'page');
    for (const p of pages) {
      const at = items.indexOf(p);
      expect(items.findIndex((i) => i.kind === 'unit-end' && i.unit.id === p.page.unit.id)).toBeGreaterThan(at);
    }
    expect(new Set(pages.map((p) => p.page.pageId)).size).toBe(pages.length);
    expect(counts.skipped).toMatchObject({ 'local-time': 1, category: 1 });
    expect(counts.seriesParsed).toBe(3);
    expect(counts.withoutTwin).toEqual([]);
  });

  it('on the local clock reads the HL twin and names the selected series that have none', async () => {
    const { items, counts } = await read(new Set(), 'local');
    const ends = items.filter((i) => i.kind === 'unit-end');
    // 20241231T20-05 is 2025-01-01T01 UTC.
    expect(ends.map((e) => [e.unit.year, e.unit.facets, e.total])).toEqual([[2025, { respondent: ['PACW'], type: ['D'] }, 1]]);
    expect(counts.skipped).toMatchObject({ 'utc-time': 3, 'local-time': 0 });
    expect(counts.withoutTwin).toEqual(['EBA.ERCO-ALL.D.H', 'EBA.PACW-ALL.DF.H']);
  });

  it('skips the units the ledger holds (resume)', async () => {
    const first = await read();
    const ids = first.items.filter((i) => i.kind === 'unit-end').map((e) => e.unit.id);
    const again = await read(new Set(ids.slice(0, 2)));
    expect(again.items.filter((i) => i.kind === 'unit-end').map((e) => e.unit.id)).toEqual(ids.slice(2));
    expect(again.counts.unitsAlreadyDone).toBe(2);
  });

  it('a line that is not JSON fails the run with ETL_BULK_INVALID, one line', async () => {
    const bad = path.join(dir, 'bad.zip');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from(`{"series_id":"EBA.PACW-ALL.D.H","data":[[\n`), 'EBA.txt');
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
    await writeFile(bad, Buffer.concat(chunks));
    const src = createEbaSource({
      file: bad, what: 'test zip', selection: ebaSelectionOf(selectionsFor(['demand'], ['PACW']), 0, Date.UTC(2026, 0, 1)),
      fileTag: 'x', horizonHours: 72, done: new Set(), urlBase: 'bulk:x', receivedAt: '',
    });
    const err = await (async () => {
      for await (const _ of src.read(new AbortController().signal)) void _;
    })().catch((e: unknown) => e);
    expect(isEtlError(err, 'ETL_BULK_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/^test zip: line 1 of EBA\.txt is not JSON/);
  });
});
