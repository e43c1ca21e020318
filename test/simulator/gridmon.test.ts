/** The simulator's six-month CSV folder: the file list, the files with their quirks, 404s, Range and ETag. */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_START_MS } from '../../src/core/catalog.js';
import { HOUR_MS } from '../../src/core/time.js';
import { resolveOptions } from '../../src/simulator/options.js';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';
import { allSeries } from '../../src/simulator/series.js';
import { seriesValue, valueContext } from '../../src/simulator/values.js';
import { parseGridMonitorNumber, parseGridMonitorTime } from '../../src/sources/bulk/grid-monitor-rows.js';

const NOW = Date.UTC(2025, 2, 1, 12, 30);
let sim: SimulatorHandle;
let folder: string;
beforeAll(async () => {
  sim = await startSimulator({ nowMs: NOW, budget: null, bulkRespondents: ['PACW'] });
  folder = `${new URL(sim.baseUrl).origin}/gridmonitor/sixMonthFiles/`;
});
afterAll(async () => sim?.close());

describe('simulator /gridmonitor/sixMonthFiles/', () => {
  it('lists the published files from 2015 Jul_Dec (SUBREGION from 2018 Jul_Dec) to the current half', async () => {
    const list = await (await fetch(folder)).text();
    expect(list.split('\n')[0]).toBe('YEAR,PERIOD,FILENAME,DESCRIPTION');
    expect(list).toContain('2015,2,EIA930_BALANCE_2015_Jul_Dec.csv,balance');
    expect(list).toContain('2025,1,EIA930_INTERCHANGE_2025_Jan_Jun.csv,interchange');
    expect(list).not.toContain('EIA930_SUBREGION_2018_Jan_Jun.csv');
    expect(list).not.toContain('2025_Jul_Dec');
    expect((await fetch(new URL('EIA930_BALANCE_2015_Jan_Jun.csv', folder))).status).toBe(404);
  });
  it('serves values equal to the API generator’s, with thousands separators in files up to 2020, and ranges', async () => {
    const res = await fetch(new URL('EIA930_BALANCE_2016_Jan_Jun.csv', folder));
    const text = await res.text();
    expect(text).toMatch(/"\d,\d{3}"/);
    const rows = parse(text) as string[][];
    const d = allSeries('region-data').find((s) => s.respondent === 'PACW' && s.code === 'D')!;
    const vctx = valueContext(resolveOptions({ nowMs: NOW }), NOW);
    for (const r of rows.slice(1, 200)) {
      const h = (parseGridMonitorTime(r[4]!)! - HISTORY_START_MS) / HOUR_MS;
      expect(parseGridMonitorNumber(r[6])).toBe(seriesValue(d, h, vctx));
    }
    const tag = res.headers.get('etag')!;
    const part = await fetch(new URL('EIA930_BALANCE_2016_Jan_Jun.csv', folder), { headers: { Range: 'bytes=100-199', 'If-Range': tag } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe(Buffer.from(text).subarray(100, 200).toString());
    expect((await fetch(new URL('EIA930_BALANCE_2016_Jan_Jun.csv', folder), { headers: { 'If-None-Match': tag } })).status).toBe(304);
    const plain = await (await fetch(new URL('EIA930_BALANCE_2022_Jan_Jun.csv', folder))).text();
    expect(plain).not.toMatch(/"\d,\d{3}"/);
  });
});
