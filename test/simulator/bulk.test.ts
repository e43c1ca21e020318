import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { startSimulator, generateRows, type SimulatorHandle } from '../../src/simulator/index.js';
import { ebaBuildAt, ebaLines } from '../../src/simulator/bulk-eba.js';
import { parseEbaLine, peekSeriesId } from '../../src/sources/bulk/eba-line.js';
import { HOUR_MS } from '../../src/core/time.js';

const NOW = Date.UTC(2025, 2, 1, 12, 30);
const OPTS = { seed: 3, nowMs: NOW, bulkRespondents: ['PACW', 'ERCO'] };

describe('simulator bulk file: EBA.txt lines', () => {
  const lines = [...ebaLines(ebaBuildAt(OPTS, NOW), new Set(OPTS.bulkRespondents))];

  it('has series lines in EIA shape, HL twins, CO2 lines and category lines last', () => {
    const ids = lines.map(peekSeriesId);
    expect(ids).toContain('EBA.PACW-ALL.D.H');
    expect(ids).toContain('EBA.PACW-ALL.D.HL');
    expect(ids).toContain('EBA.ERCO-ALL.NG.SUN.H');
    expect(ids).toContain('EBA.PACW-BPAT.ID.H');
    expect(ids).toContain('EBA.ERCO-COAS.D.H');
    expect(ids.some((id) => id?.includes('.CO2.'))).toBe(true);
    expect(ids.at(-1)).toBeUndefined(); // a category line
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(['series_id', 'name', 'units', 'f', 'description', 'geography', 'start', 'end', 'last_updated', 'data']);
    const data = first.data as [string, string | null][];
    expect(data[0]![0] > data[1]![0]).toBe(true); // newest first
    expect(data[0]![0]).toMatch(/^\d{8}T\d{2}$/);
  });

  it('holds exactly the rows and values the API serves at the same simulated now', () => {
    const line = lines.find((l) => peekSeriesId(l) === 'EBA.ERCO-ALL.D.H')!;
    const series = parseEbaLine(line, 0, Date.UTC(2100, 0, 1))!;
    const api = [...generateRows({ dataset: 'region-data', facets: { respondent: ['ERCO'], type: ['D'] }, startMs: 0, endMs: NOW + HOUR_MS }, { seed: 3, nowMs: NOW })];
    expect(series.points.length).toBe(api.length);
    expect(series.points.map((p) => [new Date(p.period).toISOString().slice(0, 13), p.value])).toEqual(
      api.map((r) => [r.period, r.value === null ? null : Number(r.value)]),
    );
  });
});

describe('simulator bulk facility over HTTP', () => {
  let sim: SimulatorHandle;
  let origin: string;
  beforeAll(async () => {
    sim = await startSimulator(OPTS);
    origin = sim.baseUrl.replace(/\/v2$/, '');
  });
  afterAll(() => sim.close());

  it('serves the manifest with the build time and the zip URL', async () => {
    const r = await fetch(`${origin}/bulk/manifest.txt`);
    expect(r.status).toBe(200);
    const m = (await r.json()) as { dataset: { EBA: { last_updated: string; accessURL: string } } };
    expect(m.dataset.EBA.last_updated).toBe('2025-03-01T12:00:00+00:00');
    expect(m.dataset.EBA.accessURL).toBe(`${origin}/bulk/EBA.zip`);
  });

  it('serves one zip member EBA.txt, the same bytes every time, and byte ranges of it', async () => {
    const full = Buffer.from(await (await fetch(`${origin}/bulk/EBA.zip`)).arrayBuffer());
    const head = await fetch(`${origin}/bulk/EBA.zip`, { method: 'HEAD' });
    expect(Number(head.headers.get('content-length'))).toBe(full.length);
    expect(head.headers.get('accept-ranges')).toBe('bytes');
    expect(head.headers.get('x-sim-sha256')).toBe(createHash('sha256').update(full).digest('hex'));
    const tag = head.headers.get('etag')!;
    const part = await fetch(`${origin}/bulk/EBA.zip`, { headers: { Range: 'bytes=1000-', 'If-Range': tag } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-${full.length - 1}/${full.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(full.subarray(1000))).toBe(true);
    const mid = await fetch(`${origin}/bulk/EBA.zip`, { headers: { Range: 'bytes=10-19' } });
    expect(Buffer.from(await mid.arrayBuffer()).equals(full.subarray(10, 20))).toBe(true);
    const other = await fetch(`${origin}/bulk/EBA.zip`, { headers: { Range: 'bytes=1000-', 'If-Range': '"another-build"' } });
    expect(other.status).toBe(200);
    await other.arrayBuffer();
    expect((await fetch(`${origin}/bulk/EBA.zip`, { headers: { Range: `bytes=${full.length}-` } })).status).toBe(416);
    expect((await fetch(`${origin}/bulk/EBA.zip`, { headers: { 'If-None-Match': tag } })).status).toBe(304);

    const names = await new Promise<string[]>((resolve, reject) =>
      yauzl.fromBuffer(full, { lazyEntries: true }, (err, zip) => {
        if (err) return reject(err);
        const out: string[] = [];
        zip.on('entry', (e: yauzl.Entry) => {
          out.push(e.fileName);
          zip.readEntry();
        });
        zip.on('end', () => resolve(out));
        zip.readEntry();
      }),
    );
    expect(names).toEqual(['EBA.txt']);
    expect(sim.unknownPathCount).toBe(0);
  });
});
