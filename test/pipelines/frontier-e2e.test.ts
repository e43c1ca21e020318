/**
 * The publication frontier end to end, against the simulator with a pinned clock: a unit reaching past EIA's
 * latest published hour is stored, kept open and fetched again as time advances, its revisions recorded exactly as
 * the generator predicts, and closed once it lies behind the frontier by the revision horizon; a wholly future
 * range is a usage error that writes nothing; incremental starts each series at its own latest stored hour.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUDGET_FILE_NAME, parseCli } from '../../src/config.js';
import { isEtlError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { HOUR_MS, formatHourStamp } from '../../src/core/time.js';
import { runCommand } from '../../src/pipelines/run.js';
import { openWarehouse } from '../../src/store/duckdb/warehouse.js';
import { generateRows, startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';

const H = HOUR_MS;
const DAY = 24 * H;
const KEY = 'FRONTIERTESTKEY0123456789ABCDEFGHIJKLMN';
const T0 = Date.UTC(2026, 5, 15, 10, 30); // the pinned "now" of the first run
const START = T0 - 10 * DAY - 10.5 * H; // 2026-06-05T00
const END = START + 40 * DAY; // 2026-07-15T00, 30 days after the first run
const day = (ms: number) => formatHourStamp(ms).slice(0, 10);
const JOB = ['historical', '--start', day(START), '--end', day(END), '--regions', 'PACW', '--types', 'demand'];

let dir: string;
let sim: SimulatorHandle | null = null;
beforeEach(async () => {
  dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'eia-frontier-')), 'data');
});
afterEach(async () => {
  await sim?.close();
  sim = null;
  await rm(path.dirname(dir), { recursive: true, force: true });
});

const sink = () => new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;

async function run(args: string[], now: number, baseUrl?: string) {
  let out = '';
  const stdout = new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) }) as unknown as NodeJS.WriteStream;
  const env: Record<string, string> = baseUrl ? { EIA_API_KEY: KEY, EIA_BASE_URL: baseUrl } : {};
  const parsed = parseCli([...args, '--json', '--data-dir', dir, '--no-progress', '--requests-per-second', '50'], env);
  if (parsed.kind !== 'run') throw new Error('expected a run');
  await runCommand(parsed.config, { logger: silentLogger(), signal: new AbortController().signal, stdout, stderr: sink(), now: () => now });
  return JSON.parse(out);
}

/** What the simulator publishes for PACW demand in [START, END) at `now` (its generator, not the pipeline). */
function published(now: number): Map<number, number | null> {
  const q = { dataset: 'region-data' as const, facets: { respondent: ['PACW'], type: ['D'] }, startMs: START, endMs: END };
  const out = new Map<number, number | null>();
  for (const r of generateRows(q, { nowMs: now })) out.set(Date.parse(`${String(r.period)}:00:00Z`), r.value === null ? null : Number(r.value));
  return out;
}

async function stored() {
  const wh = await openWarehouse(dir);
  try {
    const conn = await wh.connect();
    const q = async (sql: string) => (await conn.runAndReadAll(sql)).getRows();
    const rows = await q(`SELECT epoch_ms(period)::DOUBLE, value FROM observations ORDER BY period`);
    const units = await q(`SELECT open, epoch_ms(window_end)::DOUBLE, epoch_ms(frontier)::DOUBLE FROM units`);
    const revisions = Number((await q('SELECT count(*) FROM revisions'))[0][0]);
    conn.closeSync();
    return { values: new Map(rows.map(([p, v]) => [Number(p), v === null ? null : Number(v)])), units, revisions, done: await wh.completedUnitIds() };
  } finally {
    await wh.close();
  }
}

const frontierOf = (now: number) => Math.floor(now / H) * H - 2 * H; // the simulator's default 2 h lag

describe('the publication frontier (built-in simulator, pinned now)', () => {
  it('keeps a unit that reaches past the frontier open, re-fetches it as time advances, and closes it behind the horizon', { timeout: 120_000 }, async () => {
    // Run 1: the end is 30 days in the future.
    const s1 = await run(JOB, T0);
    expect(s1).toMatchObject({ status: 'ok', units: 1, unitsOpen: 1, unitsLater: 0, frontier: formatHourStamp(frontierOf(T0)) });
    expect(s1.end).toBe(formatHourStamp(frontierOf(T0) + H));
    const p0 = published(T0);
    let db = await stored();
    expect(db.values).toEqual(p0);
    expect(db.units).toEqual([[true, frontierOf(T0) + H, frontierOf(T0)]]);
    expect(db.done.size).toBe(0);

    // Run 2, a simulated day later: the open unit is fetched again; new hours arrive and recent ones are revised.
    const T1 = T0 + DAY;
    const s2 = await run(JOB, T1);
    const p1 = published(T1);
    db = await stored();
    expect(db.values).toEqual(p1);
    expect(Math.max(...db.values.keys())).toBe(Math.max(...p1.keys()));
    const revised = [...p0].filter(([k, v]) => p1.has(k) && p1.get(k) !== v).length;
    expect(revised).toBeGreaterThan(0);
    expect(s2).toMatchObject({ units: 1, unitsOpen: 1, rowsRevised: revised, rowsNew: p1.size - p0.size, rowsUnchanged: p0.size - revised });
    expect(db.revisions).toBe(revised);

    // Run 3, when the whole window lies more than 72 h behind the frontier: fetched once more and closed.
    const T2 = END + 4 * DAY;
    const s3 = await run(JOB, T2);
    expect(s3).toMatchObject({ units: 1, unitsOpen: 0, end: formatHourStamp(END) });
    db = await stored();
    expect(db.values).toEqual(published(T2));
    expect(db.units).toEqual([[false, END, frontierOf(T2)]]);

    // Run 4: nothing left.
    expect(await run(JOB, T2)).toMatchObject({ units: 0, unitsSkipped: 1, rowsLoaded: 0 });
  });

  it('refuses a range wholly after the frontier as a usage error and writes nothing', async () => {
    let err: unknown;
    try {
      await run(['historical', '--start', day(T0 + DAY), '--end', day(T0 + 10 * DAY), '--regions', 'PACW', '--types', 'demand'], T0);
    } catch (e) {
      err = e;
    }
    expect(isEtlError(err, 'ETL_CONFIG_INVALID'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/^--start 2026-06-16T00 is after EIA's latest published hour 2026-06-15T08/);
    // No data and no warehouse: only the key's budget record, which holds the frontier read that was sent.
    expect(await readdir(dir)).toEqual([BUDGET_FILE_NAME]);
  });
});

describe('incremental per series (simulator with a request log, pinned now)', () => {
  it('a discontinued series does not move another series\' window', { timeout: 120_000 }, async () => {
    let now = T0;
    sim = await startSimulator({ budget: null, nowMs: () => now });
    // ERCO's stored demand ends in 2021 (as a discontinued series would); PACW's is current.
    await run(['historical', '--start', '2021-01-01', '--end', '2021-02-01', '--regions', 'ERCO', '--types', 'demand'], now, sim.baseUrl);
    await run(JOB, now, sim.baseUrl);
    const pacwLatest = Math.max(...(await stored()).values.keys());
    now += 6 * H;
    const before = sim.requestLog.length;
    const s = await run(['incremental', '--regions', 'PACW,ERCO', '--types', 'demand'], now, sim.baseUrl);
    expect(s.status).toBe('ok');
    const data = sim.requestLog.slice(before).filter((e) => e.path.endsWith('/data/') || e.path.endsWith('/data'));
    const starts = (r: string) =>
      data.filter((e) => JSON.stringify((e.params as { facets?: unknown }).facets) === JSON.stringify({ respondent: [r], type: ['D'] })).map((e) => String(e.params.start));
    // PACW: one query from its own latest stored hour − 72 h, never joined with ERCO's.
    expect([...new Set(starts('PACW'))]).toEqual([formatHourStamp(pacwLatest - 72 * H)]);
    expect(starts('ERCO')[0]).toBe('2021-01-28T23');
    expect(data.every((e) => ((e.params as { facets: { respondent: string[] } }).facets.respondent.length === 1))).toBe(true);
    expect(s.rowsNew).toBeGreaterThan(0);
    expect(s.rowsLoaded).toBe(s.rowsNew + s.rowsRevised + s.rowsUnchanged);
  });
});
