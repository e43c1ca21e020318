/**
 * docs/parts/reliability.md §4 — bad input, numbered cases (#01…): CLI flags, dates, types and regions, config files
 * and the environment (exit 2, one line naming the problem, nothing written); keys and bad responses — invalid and
 * missing key, HTML/empty/`error`/wrong-type/oversized/truncated bodies, persistent or transient (exit 1 or a clean
 * `EtlError` in one line with no key, or a complete run); and bad rows — path characters in codes, NUL bytes,
 * huge numbers, wrong shapes (a quarantine entry with a reason, end to end into every sink). A data directory that
 * held a good run keeps its checksum through every failing run.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEtlError, type EtlError } from '../../src/core/errors.js';
import type { FaultKind, SimulatorHandle } from '../../src/simulator/index.js';
import { openWarehouse } from '../../src/store/duckdb/warehouse.js';
import { validatePage } from '../../src/transforms/validate.js';
import {
  FAST_RETRY,
  KEY,
  SMALL_JOB,
  cliEnv,
  fingerprint,
  groundTruth,
  isOneLineError,
  jobArgs,
  obsKey,
  runCli,
  runInProcess,
  startSim,
  summaryOf,
  useTempDirs,
  walk,
  type Fingerprint,
  type Job,
} from './helpers.js';

const tmp = useTempDirs('eia-rel-bad-');
let sim: SimulatorHandle;
/** A data directory holding a good run; every failing run below also points at it. */
let stored = '';
let storedFp: Fingerprint;
/** Fresh directories usage errors must never create. */
let scratch = '';

/** A one-day, one-request job in a range the stored run does not cover (so failing runs do try to fetch). */
const DAY: Job = { start: '2024-03-01', end: '2024-03-02', regions: ['PACW'], types: ['demand'] };

beforeAll(async () => {
  sim = await startSim();
  stored = await tmp.shared();
  scratch = await tmp.shared();
  const r = await runCli(jobArgs(SMALL_JOB, stored), { env: cliEnv(sim.baseUrl) });
  expect(r.code, r.stderr).toBe(0);
  storedFp = await fingerprint(stored);
}, 180_000);
afterAll(async () => {
  await sim?.close();
});

// ───────────────────────────── usage errors: exit 2 ─────────────────────────────

interface UsageCase {
  id: string;
  what: string;
  args: (neverDir: string) => string[];
  env?: Record<string, string>;
  /** The message must match (it names the flag or field and what is allowed). */
  expect: RegExp;
  /** Config file to create first (name → content). */
  file?: [string, string];
}

const H = (...extra: string[]) => (d: string) => ['historical', '--data-dir', d, ...extra];

const USAGE: UsageCase[] = [
  { id: '01', what: 'unknown flag --colour', args: H('--colour', 'red'), expect: /unknown or malformed option --colour; allowed: --start/ },
  { id: '02', what: 'unknown command', args: (d) => ['backfill', '--data-dir', d], expect: /unknown command 'backfill'; allowed: historical/ },
  { id: '03', what: '--concurrency not a number', args: H('--concurrency', 'abc'), expect: /--concurrency must be a whole number from 1 to 64 \(got 'abc'\)/ },
  { id: '04', what: '--concurrency 0', args: H('--concurrency', '0'), expect: /--concurrency must be a whole number from 1 to 64/ },
  { id: '05', what: '--concurrency 1.5', args: H('--concurrency', '1.5'), expect: /--concurrency must be a whole number/ },
  { id: '06', what: '--requests-per-second negative', args: H('--requests-per-second=-3'), expect: /--requests-per-second must be a whole number from 1/ },
  { id: '07', what: '--requests-per-hour in exponent form', args: H('--requests-per-hour', '1e3'), expect: /--requests-per-hour must be a whole number/ },
  { id: '08', what: '--timeout-ms below its minimum', args: H('--timeout-ms', '50'), expect: /--timeout-ms must be a whole number from 100 to 600000/ },
  { id: '09', what: '--lookback-hours empty', args: H('--lookback-hours', ''), expect: /--lookback-hours must be a whole number/ },
  { id: '10', what: '--concurrency beyond 2^64', args: H('--concurrency', '99999999999999999999'), expect: /--concurrency must be a whole number from 1 to 64/ },
  { id: '11', what: 'month 13', args: H('--start', '2024-13-01'), expect: /--start must be a UTC date YYYY-MM-DD or hour YYYY-MM-DDTHH \(got '2024-13-01'\)/ },
  { id: '12', what: 'February 30', args: H('--start', '2024-02-30'), expect: /--start must be a UTC date/ },
  { id: '13', what: 'a word for a date', args: H('--start', 'yesterday'), expect: /--start must be a UTC date/ },
  { id: '14', what: 'hour 24', args: H('--start', '2024-01-01T24'), expect: /--start must be a UTC date/ },
  { id: '15', what: 'minutes in --end', args: H('--end', '2024-01-01T07:00'), expect: /--end must be a UTC date/ },
  { id: '16', what: 'inverted range', args: H('--start', '2024-02-01', '--end', '2024-01-01'), expect: /--end \(2024-01-01\) must be after --start \(2024-02-01\)/ },
  { id: '17', what: 'empty range (start = end)', args: H('--start', '2024-01-01', '--end', '2024-01-01'), expect: /must be after --start/ },
  { id: '18', what: 'range wholly before 2019', args: H('--start', '2010-01-01', '--end', '2018-06-01'), expect: /--end \(2018-06-01\) is before 2019-01-01T00/ },
  { id: '19', what: 'range ending at 2019-01-01T00', args: H('--start', '2015-01-01', '--end', '2019-01-01'), expect: /is before 2019-01-01T00/ },
  { id: '20', what: 'unknown type', args: H('--types', 'solar'), expect: /--types: unknown type 'solar'; allowed: demand, forecast/ },
  { id: '21', what: 'empty --types', args: H('--types', ','), expect: /--types must list at least one of demand/ },
  { id: '22', what: 'path in --types', args: H('--types', 'demand,../x'), expect: /--types: unknown type '\.\.\/x'/ },
  { id: '23', what: 'SPP (not an EIA code)', args: H('--regions', 'SPP'), expect: /--regions: 'SPP' is not an EIA code and returns no data; did you mean SWPP\?/ },
  { id: '24', what: 'CARO (not an EIA code)', args: H('--regions', 'CARO'), expect: /'CARO' is not an EIA code.*did you mean CAR\?/ },
  { id: '25', what: 'path as a region', args: H('--regions', '../x'), expect: /--regions: '\.\.\/X' is not a respondent code/ },
  { id: '26', what: 'shell text as a region', args: H('--regions', 'PACW;rm -rf /'), expect: /is not a respondent code/ },
  { id: '27', what: 'unknown respondent', args: H('--regions', 'PACW,XXXX'), expect: /--regions: unknown respondent 'XXXX'; known: / },
  { id: '28', what: '--phase with historical', args: H('--phase', 'full'), expect: /--phase only applies to 'quick'/ },
  { id: '29', what: 'unknown quick phase', args: (d) => ['quick', '--phase', 'huge', '--data-dir', d], expect: /--phase must be one of connectivity, small, medium, full \(got 'huge'\)/ },
  { id: '30', what: 'extra positional argument', args: (d) => ['historical', 'now', '--data-dir', d], expect: /unexpected argument 'now'; options start with --/ },
  { id: '31', what: 'unknown log level', args: H('--log-level', 'loud'), expect: /--log-level must be one of fatal, error, warn, info, debug, trace, silent/ },
  { id: '32', what: 'empty --data-dir', args: () => ['historical', '--data-dir', ''], expect: /--data-dir must not be empty/ },
  { id: '33', what: 'missing config file', args: H('--config', '/nonexistent/eia.json'), expect: /--config: cannot read '\/nonexistent\/eia.json' \(ENOENT\)/ },
  { id: '34', what: 'config file not JSON', file: ['bad.json', '{ concurrency: 8, }'], args: H('--config', '@bad.json'), expect: /--config: '.*bad.json' is not valid JSON/ },
  { id: '35', what: 'config file with an unknown field', file: ['unknown.json', '{"colour":"red"}'], args: H('--config', '@unknown.json'), expect: /--config: field 'colour' in .*allowed fields: start, end, regions/ },
  { id: '36', what: 'config field of the wrong type', file: ['type.json', '{"concurrency":"8"}'], args: H('--config', '@type.json'), expect: /--config: field 'concurrency' in .*Expected number, received string/ },
  { id: '37', what: 'config regions as a string', file: ['regions.json', '{"regions":"PACW"}'], args: H('--config', '@regions.json'), expect: /--config: field 'regions'/ },
  { id: '38', what: 'config with a bad date value', file: ['date.json', '{"start":"2024-99-01"}'], args: H('--config', '@date.json'), expect: /--start must be a UTC date.*got '2024-99-01'/ },
  { id: '39', what: 'config file holding an array', file: ['array.json', '[]'], args: H('--config', '@array.json'), expect: /--config: field '\(root\)'/ },
  { id: '40', what: 'config with an unknown type', file: ['types.json', '{"types":["demand","nuclear"]}'], args: H('--config', '@types.json'), expect: /--types: unknown type 'nuclear'/ },
  { id: '41', what: 'malformed EIA_API_KEY', env: { EIA_API_KEY: 'short key!' }, args: H(), expect: /EIA_API_KEY must be 20–64 letters and digits/ },
  { id: '42', what: 'EIA_BASE_URL without a key', env: { EIA_BASE_URL: 'http://127.0.0.1:9/v2' }, args: H(), expect: /EIA_BASE_URL is set but EIA_API_KEY is not/ },
  { id: '43', what: 'EIA_BASE_URL not http(s)', env: { EIA_API_KEY: KEY, EIA_BASE_URL: 'ftp://example.org/v2' }, args: H(), expect: /EIA_BASE_URL must be an http\(s\) URL/ },
  { id: '44', what: '--data-dir is a regular file', file: ['a-file', 'x'], args: () => ['historical', '--data-dir', '@a-file'], expect: /--data-dir '.*a-file' is not a writable directory \(ENOTDIR\)/ },
];

describe('bad CLI input: exit 2, one line naming the flag and the allowed values, nothing written', () => {
  describe.concurrent('usage errors', () => {
    for (const c of USAGE) {
      it(`#${c.id} ${c.what}`, async () => {
        const never = path.join(scratch, `never-${c.id}`);
        const filesDir = path.join(scratch, `files-${c.id}`);
        await mkdir(filesDir, { recursive: true });
        if (c.file) await writeFile(path.join(filesDir, c.file[0]), c.file[1]);
        const args = c.args(never).map((a) => (a.startsWith('@') ? path.join(filesDir, a.slice(1)) : a));
        const r = await runCli(args, { env: c.env });
        expect(r.code, r.stderr).toBe(2);
        expect(isOneLineError(r.stderr), r.stderr).toBe(true);
        expect(r.stderr).toMatch(c.expect);
        expect(r.stderr).toContain('[ETL_CONFIG_INVALID]');
        // Errors found while parsing also point at --help (#44 is found later, when the directory is checked).
        if (c.id !== '44') expect(r.stderr).toContain("Run 'npm run pipeline -- --help' for usage.");
        expect(r.stdout).toBe('');
        if (c.env?.EIA_API_KEY) expect(r.stderr).not.toContain(c.env.EIA_API_KEY);
        // Nothing written: the data directory was never created.
        expect(await walk(never)).toEqual([]);
        await expect(readFile(path.join(never, 'eia.duckdb'))).rejects.toThrow(/ENOENT/);
      }, 120_000);
    }
    // Node's recursive mkdir never returns under /proc (libuv retries forever), so `ensureWritableDir` in
    // src/pipelines/execute.ts creates one level at a time. The CLI starts through tsx, which takes several seconds
    // on a loaded 2-core machine: 25 s tells a hang from a slow start.
    it('--data-dir under /proc fails with exit 2 instead of hanging', async () => {
      const r = await runCli(['historical', '--data-dir', '/proc/eia-stream-cannot-write/data'], { timeoutMs: 25_000 });
      expect(r.killedByTest, 'still running after 25 s').toBe(false);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('--data-dir');
    }, 60_000);

    it('#45 a --start before 2019 is clamped with a warning (plan: exit 0, writes nothing)', async () => {
      const never = path.join(scratch, 'never-45');
      const r = await runCli(['plan', '--start', '2015-01-01', '--end', '2019-01-03', '--regions', 'PACW', '--types', 'demand', '--data-dir', never]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('--start 2015-01-01 is before 2019-01-01T00 (start of API v2 hourly history); clamped to 2019-01-01T00');
      expect(r.stdout).toContain('plan [2019-01-01T00, 2019-01-03T00)');
      expect(await walk(never)).toEqual([]);
    }, 120_000);
  });
});

// ───────────────────────────── keys and bad responses ─────────────────────────────

/**
 * A fake gateway answering every request with one fixed response; counts requests. With `metadata`, route
 * metadata requests (the pipeline's frontier read, any path without `/data`) get that body instead.
 */
async function fakeServer(status: number, body: string, contentType = 'application/json', metadata?: string) {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    const text = metadata !== undefined && !req.url?.includes('/data') ? metadata : body;
    res.writeHead(metadata !== undefined && text === metadata ? 200 : status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`,
    requests: () => requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const OTHER_KEY = 'WRONGKEY0123456789abcdefghijKLMNOPQRSTuv';

describe('bad keys and bad responses: exit 1 (or a clean EtlError) in one line without the key; stored data intact', { timeout: 300_000 }, () => {
  it('#46 invalid key (403 API_KEY_INVALID): exit 1 after ONE request, one line, no key', async () => {
    const before = sim.requestLog.length;
    const r = await runCli(jobArgs(DAY, stored), { env: cliEnv(sim.baseUrl, OTHER_KEY) });
    expect(r.code, r.stderr).toBe(1);
    expect(sim.requestLog.length - before).toBe(1);
    expect(sim.requestLog.at(-1)?.status).toBe(403);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/EIA rejected the API key \(403 API_KEY_INVALID\): check EIA_API_KEY.*\[ETL_API_KEY_INVALID\]/);
    expect(r.stderr + r.stdout).not.toContain(OTHER_KEY);
    expect(r.stderr).toContain('api_key=REDACTED');
  });

  // The summary of a failed source run holds the request URL with `api_key` as its last parameter. Redacting it
  // must leave valid JSON (a redaction running to the end of the text would cut it, DuckDB would reject the row and
  // the run would stay 'running').
  it('a failed run is recorded in `runs` as failed (not left as running)', async () => {
    const dir = await tmp.dir();
    const r = await runCli(jobArgs(DAY, dir), { env: cliEnv(sim.baseUrl, OTHER_KEY) });
    expect(r.code, r.stderr).toBe(1);
    const wh = await openWarehouse(dir);
    const conn = await wh.connect();
    const rows = (await conn.runAndReadAll('SELECT status FROM runs')).getRows();
    conn.closeSync();
    await wh.close();
    expect(rows).toEqual([['failed']]);
  });

  it('#47 missing key (403 API_KEY_MISSING from the gateway): exit 1 after ONE request, one line, no key', async () => {
    const gw = await fakeServer(
      403,
      '{"error":{"code":"API_KEY_MISSING","message":"No api_key was supplied.  Please register for one at https://www.eia.gov/opendata/register.php"}}',
    );
    try {
      const r = await runCli(jobArgs(DAY, stored), { env: cliEnv(gw.baseUrl) });
      expect(r.code, r.stderr).toBe(1);
      expect(gw.requests()).toBe(1);
      expect(isOneLineError(r.stderr), r.stderr).toBe(true);
      expect(r.stderr).toMatch(/EIA received no API key \(403 API_KEY_MISSING\): set EIA_API_KEY.*\[ETL_API_KEY_MISSING\]/);
      expect(r.stderr + r.stdout).not.toContain(KEY);
    } finally {
      await gw.close();
    }
  });

  it('#48 an `error` body with HTTP 200 (persistent): exit 1 after ONE request (a request bug is never retried)', async () => {
    const s = await startSim({ faults: { rates: { error200: 1 } } });
    try {
      const r = await runCli(jobArgs(DAY, stored), { env: cliEnv(s.baseUrl) });
      expect(r.code, r.stderr).toBe(1);
      expect(s.requestLog.length).toBe(1);
      expect(isOneLineError(r.stderr), r.stderr).toBe(true);
      expect(r.stderr).toMatch(/EIA rejected the request \(200 400\).*\[ETL_BAD_REQUEST\]/);
      expect(r.stderr + r.stdout).not.toContain(KEY);
    } finally {
      await s.close();
    }
  });

  it('#49 a data directory held by a live process: exit 1, one line naming the holder', async () => {
    const dir = await tmp.dir();
    await writeFile(path.join(dir, 'eia.lock'), JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), since: new Date().toISOString() }));
    const r = await runCli(jobArgs(DAY, dir), { env: cliEnv(sim.baseUrl) });
    expect(r.code, r.stderr).toBe(1);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(new RegExp(`is in use by pid ${process.pid}.*\\[ETL_LOCKED\\]`));
  });

  // Persistent bad bodies are retried, then fail. In-process with short backoffs (the CLI's retry policy waits up
  // to 30 s per attempt); the CLI maps every such EtlError to exit 1 and prints `message [code]` as #46–#49 show.
  const PERSISTENT: [string, FaultKind, RegExp][] = [
    ['#50', 'html200', /HTTP 200 with content-type 'text\/html; charset=utf-8' \(<!DOCTYPE html>/i],
    ['#51', 'empty200', /empty body/],
    ['#52', 'wrong-content-type', /content-type 'text\/plain; charset=utf-8'/i],
    ['#53', 'oversized', /ETL_BODY_TOO_LARGE|larger than|too large/i],
    ['#54', 'malformed', /truncated or invalid JSON/],
    ['#55', '503', /HTTP 503/],
    ['#56', 'truncate', /truncated|cut short/],
    ['#57', 'reset', /connection failed|socket|reset|closed/i],
    ['#58', 'latency', /timed out/],
  ];
  for (const [id, kind, message] of PERSISTENT) {
    it(`${id} ${kind} on every request: ETL_RETRIES_EXHAUSTED after the retries, one line naming the cause, no key`, async () => {
      const s = await startSim({ faults: { rates: { [kind]: 1 }, delayMs: 1_500, oversizedBytes: 2 * 1024 * 1024 } });
      try {
        const run = await runInProcess(jobArgs(DAY, stored, ['--timeout-ms', '400']), cliEnv(s.baseUrl), {
          sourceOptions: { maxBodyBytes: 1024 * 1024, retry: { ...FAST_RETRY, maxAttempts: 3 } },
        });
        expect(isEtlError(run.error, 'ETL_RETRIES_EXHAUSTED'), String(run.error)).toBe(true);
        const e = run.error as EtlError;
        expect(e.message).toMatch(/^gave up after 3 attempts; last: /);
        expect(`${e.message} ${String(e.details.lastCode)}`).toMatch(message);
        expect(e.message).not.toContain('\n');
        expect(e.message + run.stderr + run.log).not.toContain(KEY);
      } finally {
        await s.close();
      }
    });
  }

  const TRANSIENT: [string, FaultKind][] = [
    ['#59', 'html200'],
    ['#60', 'empty200'],
    ['#61', 'wrong-content-type'],
    ['#62', 'oversized'],
  ];
  for (const [id, kind] of TRANSIENT) {
    it(`${id} ${kind} once (transient): retried, and the run loads exactly the ground truth`, async () => {
      const s = await startSim({ faults: { script: { 1: kind, 2: kind }, oversizedBytes: 2 * 1024 * 1024 } });
      const dir = await tmp.dir();
      try {
        const run = await runInProcess(jobArgs(DAY, dir), cliEnv(s.baseUrl), { sourceOptions: { maxBodyBytes: 1024 * 1024, retry: FAST_RETRY } });
        expect(run.error).toBeNull();
        const fp = await fingerprint(dir);
        expect(new Map(fp.warehouse.obs.map((o) => [obsKey(o), o.value]))).toEqual(groundTruth(DAY).rows);
      } finally {
        await s.close();
      }
    });
  }

  it('#63 (every failing run above) left the stored run exactly as it was', async () => {
    expect(summaryOf(await fingerprint(stored))).toEqual(summaryOf(storedFp));
  });
});

// ───────────────────────────── bad rows ─────────────────────────────

const CTX = { dataset: 'region-data' as const, sourcePage: 'region-data-2024-x-p0', ingestedAt: 0, frequency: 'hourly' as const };
const ok = { period: '2024-01-01T05', respondent: 'PACW', 'respondent-name': 'PacifiCorp West', type: 'D', 'type-name': 'Demand', value: '1234', 'value-units': 'megawatthours' };

const ROWS: [string, string, unknown, string][] = [
  ['#64', "respondent '../x'", { ...ok, respondent: '../x' }, 'BAD_CODE'],
  ['#65', "type '../../etc/passwd'", { ...ok, type: '../../etc/passwd' }, 'BAD_CODE'],
  ['#66', 'respondent with a slash', { ...ok, respondent: 'PAC/W' }, 'BAD_CODE'],
  ['#67', 'respondent with a NUL byte', { ...ok, respondent: 'PA\u0000CW' }, 'BAD_CODE'],
  ['#68', 'value with a NUL byte', { ...ok, value: '12\u00003' }, 'BAD_VALUE'],
  ['#69', 'period with a NUL byte', { ...ok, period: '2024-01-01T0\u00005' }, 'BAD_PERIOD'],
  ['#70', 'value 1e308 (beyond ±1e9 MWh)', { ...ok, value: '1e308' }, 'BAD_VALUE'],
  ['#71', 'value 1e400 (Infinity)', { ...ok, value: '1e400' }, 'BAD_VALUE'],
  ['#72', "value 'Infinity'", { ...ok, value: 'Infinity' }, 'BAD_VALUE'],
  ['#73', 'value −9e99 as a number', { ...ok, value: -9e99 }, 'BAD_VALUE'],
  ['#74', 'value as an object', { ...ok, value: { x: 1 } }, 'BAD_VALUE'],
  ['#75', 'value in hex', { ...ok, value: '0x10' }, 'BAD_VALUE'],
  ['#76', 'period in month 13', { ...ok, period: '2024-13-01T00' }, 'BAD_PERIOD'],
  ['#77', 'period missing', { ...ok, period: undefined }, 'MISSING_KEY'],
  ['#78', 'row is null', null, 'NOT_AN_OBJECT'],
  ['#79', 'row is an array', ['2024-01-01T05', 'PACW'], 'NOT_AN_OBJECT'],
  ['#80', 'row is a string', 'PACW,D,1234', 'NOT_AN_OBJECT'],
  ['#81', 'units GWh', { ...ok, 'value-units': 'GWh' }, 'BAD_UNITS'],
  ['#82', 'unknown region-data type', { ...ok, type: 'ZZ' }, 'UNKNOWN_TYPE'],
  ['#83', 'a 1,000-character code', { ...ok, respondent: 'A'.repeat(1000) }, 'BAD_CODE'],
  ['#84', 'period outside the unit window', { ...ok, period: '2023-06-01T05' }, 'OUT_OF_WINDOW'],
];

describe('bad rows are quarantined with a reason, in one line', () => {
  for (const [id, what, row, reason] of ROWS) {
    it(`${id} ${what} → ${reason}`, () => {
      const r = validatePage([row, ok], { ...CTX, window: { startMs: Date.UTC(2024, 0, 1), endMs: Date.UTC(2024, 1, 1) } });
      expect(r.quarantined.map((q) => q.reason)).toEqual([reason]);
      expect(r.records).toHaveLength(1);
      expect(r.quarantined[0].detail).not.toMatch(/[\n\u0000]/);
      expect(r.quarantined[0].row_index).toBe(0);
      expect(JSON.parse(r.quarantined[0].raw)).toEqual(JSON.parse(JSON.stringify(row) ?? 'null'));
    });
  }

  it('#85 a "__proto__" key in a row pollutes nothing', () => {
    const row = JSON.parse('{"__proto__":{"polluted":1},"period":"2024-01-01T06","respondent":"PACW","type":"D","value":"5"}') as unknown;
    const r = validatePage([row], CTX);
    expect(r.records).toHaveLength(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

/** A fake EIA API serving one page of `rows` for any data request (`total` = rows). */
async function rowServer(rows: unknown[]) {
  const body = JSON.stringify({
    response: { total: String(rows.length), dateFormat: 'YYYY-MM-DD"T"HH24', frequency: 'hourly', data: rows, description: 'x' },
    request: { command: '/v2/electricity/rto/region-data/data/', params: { api_key: KEY } },
    apiVersion: '2.1.8',
  });
  const metadata = JSON.stringify({ response: { id: 'region-data', startPeriod: '2019-01-01T00', endPeriod: '2030-01-01T00' }, apiVersion: '2.1.8' });
  return fakeServer(200, body, 'application/json', metadata);
}

describe('bad rows end to end (a fake EIA server): quarantined in every sink, nothing escapes the data directory', { timeout: 120_000 }, () => {
  it('#86 path characters, NUL bytes and huge numbers in rows: run ok, quarantine rows + file, valid rows loaded (NUL in a name kept)', async () => {
    const root = await tmp.dir();
    const dir = path.join(root, 'data');
    const rows = [
      { ...ok, period: '2024-03-01T01' },
      { ...ok, period: '2024-03-01T02', respondent: '../x' },
      { ...ok, period: '2024-03-01T03', type: '../../../../tmp/evil' }, // outside-path-ok: a path-traversal probe
      { ...ok, period: '2024-03-01T04', respondent: 'PA\u0000CW' },
      { ...ok, period: '2024-03-01T05', value: '1e308' },
      { ...ok, period: '2024-03-01T06', value: '-1e999' },
      { ...ok, period: '2024-03-01T07', 'respondent-name': 'Pacifi\u0000Corp ../../x' },
      { ...ok, period: '2024-03-01T08', value: '12\u00003' },
    ];
    const srv = await rowServer(rows);
    try {
      const run = await runInProcess(jobArgs(DAY, dir), cliEnv(srv.baseUrl), { sourceOptions: { retry: FAST_RETRY } });
      expect(run.error).toBeNull();
      expect(run.result?.summary).toMatchObject({ rowsReceived: 8, rowsLoaded: 2, rowsQuarantined: 6 });
      const fp = await fingerprint(dir);
      expect(fp.warehouse.quarantined).toBe(6);
      expect(fp.parquet.rows).toBe(2);
      expect(fp.warehouse.rows).toBe(2);
      const files = await walk(root);
      expect(files.every((f) => f.startsWith('data/'))).toBe(true);
      expect(files.filter((f) => f.includes('evil') || f.includes('..'))).toEqual([]);
      const q = files.filter((f) => f.startsWith('data/quarantine/'));
      expect(q).toHaveLength(1);
      const lines = (await readFile(path.join(root, q[0]), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { reason: string });
      expect(lines.map((l) => l.reason).sort()).toEqual(['BAD_CODE', 'BAD_CODE', 'BAD_CODE', 'BAD_VALUE', 'BAD_VALUE', 'BAD_VALUE']);
      expect(fp.leftovers).toEqual([]);
    } finally {
      await srv.close();
    }
  });
});
