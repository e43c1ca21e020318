import { describe, expect, it } from 'vitest';
import { manualClock } from '../../../src/core/clock.js';
import type { SourceItem, ApiWorkUnit } from '../../../src/core/contracts.js';
import { EtlError, isEtlError } from '../../../src/core/errors.js';
import { HOUR_MS } from '../../../src/core/time.js';
import { createEiaClient, createEiaSource } from '../../../src/sources/eia/index.js';
import { planUnits } from '../../../src/sources/eia/planner.js';
import { fakeHttp, okResponse, rowsOf, type Script } from './helpers/fake-http.js';

const KEY = 'FAKEKEY1234567890abcd';
const START = Date.UTC(2024, 0, 1);
const SEL = [{ dataset: 'region-data' as const, facets: { respondent: ['ERCO', 'MISO', 'PACW'], type: ['D', 'DF', 'NG'] } }];
// 9 series × 31 days × 24 h = 6,696 rows per month → 2 pages of 5,000 per unit.
const unitsFor = (months: number): ApiWorkUnit[] => planUnits(SEL, START, Date.UTC(2024, months, 1), { maxUnitRows: 7000 });
const config = { apiKey: KEY, baseUrl: 'http://fake.invalid/v2', requestsPerHour: null, requestsPerSecond: null, concurrency: 4 };

function setup(script?: Script, opts: { units?: ApiWorkUnit[]; delayMs?: number; maxBufferedPages?: number } = {}) {
  const http = fakeHttp(script, opts.delayMs);
  const clock = manualClock(Date.UTC(2026, 0, 1));
  const client = createEiaClient({ ...config, maxBufferedPages: opts.maxBufferedPages }, { http, clock, random: () => 0.5 });
  const units = opts.units ?? unitsFor(3);
  const source = createEiaSource({ ...config, maxBufferedPages: opts.maxBufferedPages }, { units, client });
  return { http, client, source, units };
}

async function collect(items: AsyncIterable<SourceItem>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const it of items) out.push(it);
  return out;
}
async function rejection(p: Promise<unknown>): Promise<EtlError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof EtlError) return e;
    throw e;
  }
  throw new Error('did not reject');
}
const keyOf = (r: Record<string, unknown>) => `${r.period}|${r.respondent}|${r.type}`;

describe('EIA source (fake transport)', () => {
  it('delivers every row exactly once, each unit\'s pages before its unit-end', async () => {
    const { source, units, http } = setup();
    const items = await collect(source.read(new AbortController().signal));
    const seen = new Set<string>();
    let rows = 0;
    const ended = new Set<string>();
    for (const it of items) {
      if (it.kind === 'page') {
        expect(ended.has(it.page.unit.id)).toBe(false);
        expect(it.page.pageId).toBe(`${it.page.unit.id}-p${it.page.offset}`);
        expect(it.page.url).toContain('api_key=REDACTED');
        for (const r of it.page.envelope!.rows) seen.add(keyOf(r));
        rows += it.page.envelope!.rows.length;
      } else if (it.kind === 'unit-end') {
        ended.add(it.unit.id);
        const expected = (it.unit.endMs - it.unit.startMs) / HOUR_MS * 9;
        expect(it).toMatchObject({ total: expected, rowsReceived: expected, pages: Math.ceil(expected / 5000) });
      }
    }
    expect(ended).toEqual(new Set(units.map((u) => u.id)));
    expect(rows).toBe(seen.size);
    expect(rows).toBe((Date.UTC(2024, 3, 1) - START) / HOUR_MS * 9);
    expect(http.calls).toHaveLength(units.length * 2);
    expect(http.calls.every((c) => !c.url.includes('REDACTED'))).toBe(true);
  });

  it('never runs ahead of its consumer by more than maxBufferedPages', async () => {
    const { source, http } = setup(undefined, { units: unitsFor(6), maxBufferedPages: 3, delayMs: 1 });
    let pulled = 0;
    let worst = 0;
    for await (const it of source.read(new AbortController().signal)) {
      if (it.kind === 'page') pulled++;
      worst = Math.max(worst, http.calls.length - pulled);
      await new Promise((r) => setTimeout(r, 2)); // a slow consumer
    }
    expect(worst).toBeLessThanOrEqual(3);
    expect(pulled).toBe(12);
  });

  it('a paging mismatch yields unit-restart and re-fetches the unit once', async () => {
    let lied = false;
    const { source, http } = setup(
      (_n, call, ok) => {
        if (!lied && call.offset === 5000) {
          lied = true;
          const r = ok();
          const doc = JSON.parse(r.body.toString());
          doc.response.data = doc.response.data.slice(1); // one row short
          return okResponse(r.url, doc);
        }
        return ok();
      },
      { units: unitsFor(1) },
    );
    const items = await collect(source.read(new AbortController().signal));
    expect(items.map((i) => i.kind)).toEqual(['page', 'page', 'unit-restart', 'page', 'page', 'unit-end']);
    expect(items.at(-1)).toMatchObject({ rowsReceived: 31 * 24 * 9 });
    expect(http.calls).toHaveLength(4);
    expect(source.counters.snapshot().unitRestarts).toBe(1);
  });

  it('a second mismatch fails loudly with ETL_PAGING_MISMATCH naming the unit, expected and got', async () => {
    const { source, units } = setup(
      (_n, call, ok) => {
        const r = ok();
        const doc = JSON.parse(r.body.toString());
        doc.response.total = String(Number(doc.response.total) + 1);
        return okResponse(r.url, doc);
      },
      { units: unitsFor(1) },
    );
    const seen: string[] = [];
    const e = await rejection((async () => { for await (const it of source.read(new AbortController().signal)) seen.push(it.kind); })());
    expect(e.code).toBe('ETL_PAGING_MISMATCH');
    expect(e.message).toContain(units[0].id);
    expect(e.message).toContain(`expected ${31 * 24 * 9 + 1} rows (total), got ${31 * 24 * 9}`);
    expect(seen).toContain('unit-restart');
  });

  it('an invalid key ends the run after exactly ONE request, with a one-line message and no key', async () => {
    const body = '{\n  "error": {\n    "code": "API_KEY_INVALID",\n    "message": "An invalid api_key was supplied. Get one at https://api.eia.gov:443"\n  }\n}';
    const { source, http } = setup((_n, call) => ({ ...okResponse(call.url.replace(KEY, 'REDACTED'), {}), status: 403, body: Buffer.from(body) }), {
      units: unitsFor(6),
    });
    const e = await rejection(collect(source.read(new AbortController().signal)));
    expect(e.code).toBe('ETL_API_KEY_INVALID');
    expect(http.calls).toHaveLength(1);
    expect(e.message).toMatch(/^EIA rejected the API key \(403 API_KEY_INVALID\): check EIA_API_KEY; GET http:\/\/fake\.invalid\/v2\/\S+api_key=REDACTED \(\S+\)$/);
    expect(e.message).not.toContain(KEY);
  });

  it('a 403 after earlier success is a suspension: cools down and continues', async () => {
    const { source, client } = setup((n, call, ok) => (n === 3 ? { ...ok(), status: 403, body: Buffer.from('{"error":{"code":"API_KEY_INVALID","message":"x"}}') } : ok()), {
      units: unitsFor(2),
    });
    const items = await collect(source.read(new AbortController().signal));
    expect(items.filter((i) => i.kind === 'unit-end')).toHaveLength(2);
    expect(client.counters.snapshot().retriesByCause).toEqual({ ETL_KEY_SUSPENDED: 1 });
  });

  it('retries transient failures; every attempt is counted as a request', async () => {
    const { source, client, http } = setup((n, _c, ok) => (n % 3 === 0 ? { ...ok(), status: 503, body: Buffer.from('busy') } : ok()), {
      units: unitsFor(2),
    });
    const items = await collect(source.read(new AbortController().signal));
    const rows = items.reduce((n, i) => n + (i.kind === 'page' ? i.page.envelope!.rows.length : 0), 0);
    expect(rows).toBe((31 + 29) * 24 * 9);
    const snap = client.counters.snapshot();
    expect(snap.requests).toBe(http.calls.length);
    expect(snap.retries).toBe(http.calls.length - 4);
    expect(snap.retriesByCause.ETL_HTTP_STATUS).toBe(snap.retries);
    const retried = items.filter((i) => i.kind === 'page' && i.page.attempts > 1);
    expect(retried.length).toBeGreaterThan(0);
  });

  it('a 400 is never retried: the run fails on the first one', async () => {
    const { source, http } = setup((n, _c, ok) => (n === 2 ? { ...ok(), status: 400, body: Buffer.from('{"error":"Invalid facet","code":400}') } : ok()));
    const e = await rejection(collect(source.read(new AbortController().signal)));
    expect(e.code).toBe('ETL_BAD_REQUEST');
    expect(http.calls.filter((c) => c.url === http.calls[1].url)).toHaveLength(1);
  });

  it('stops promptly on abort and rejects with ETL_ABORTED', async () => {
    const { source } = setup(undefined, { units: unitsFor(12), delayMs: 20 });
    const ac = new AbortController();
    let pages = 0;
    const e = await rejection(
      (async () => {
        for await (const it of source.read(ac.signal)) {
          if (it.kind === 'page' && ++pages === 2) ac.abort();
        }
      })(),
    );
    expect(e.code).toBe('ETL_ABORTED');
    expect(pages).toBe(2);
  });

  it('probeTotal reads total with one length=1 request', async () => {
    const { source, http } = setup();
    const total = await source.probeTotal({ dataset: 'region-data', facets: SEL[0].facets, startMs: START, endMs: START + 10 * HOUR_MS });
    expect(total).toBe(90);
    expect(http.calls).toHaveLength(1);
    expect(http.calls[0].length).toBe(1);
    expect(rowsOf(http.calls[0].url)).toHaveLength(90);
  });

  it('rejects an invalid config with ETL_CONFIG_INVALID', () => {
    let err: unknown;
    try {
      createEiaSource({ apiKey: KEY, pageSize: 8000 }, { units: [] });
    } catch (e) {
      err = e;
    }
    expect(isEtlError(err, 'ETL_CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toContain('eia.pageSize');
  });
});
