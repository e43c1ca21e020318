/** parseCli: flags, the --config file and the environment → one frozen config, or a one-line usage error. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../src/config/argv.js';
import { isEtlError } from '../../src/core/errors.js';

function run(args: string[], env: Record<string, string> = {}) {
  const r = parseCli(args, env);
  if (r.kind !== 'run') throw new Error('expected a run config');
  return r.config;
}

function errorOf(args: string[], env: Record<string, string> = {}): string {
  try {
    parseCli(args, env);
  } catch (e) {
    expect(isEtlError(e, 'ETL_CONFIG_INVALID')).toBe(true);
    const msg = (e as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error(`expected ${args.join(' ')} to be rejected`);
}

describe('parseCli', () => {
  it('defaults to 2019-01-01 → 2026-01-01, five regions, demand + generation, the simulator without a key', () => {
    const c = run(['historical']);
    expect(c.startMs).toBe(Date.UTC(2019, 0, 1));
    expect(c.endMs).toBe(Date.UTC(2026, 0, 1));
    expect(c.regions).toEqual(['PACW', 'ERCO', 'CAL', 'TEX', 'MISO']);
    expect(c.types).toEqual(['demand', 'generation']);
    expect(c.source).toBe('simulator');
    expect(c.baseUrl).toBeNull();
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.regions)).toBe(true);
  });

  it('uses the EIA API with a key, and EIA_BASE_URL overrides the host', () => {
    const key = 'A'.repeat(40);
    expect(run(['historical'], { EIA_API_KEY: key }).baseUrl).toBe('https://api.eia.gov/v2');
    const c = run(['historical'], { EIA_API_KEY: key, EIA_BASE_URL: 'http://127.0.0.1:8787/v2/' });
    expect(c.baseUrl).toBe('http://127.0.0.1:8787/v2');
    expect(c.source).toBe('eia');
  });

  it('returns help for --help and for no command', () => {
    expect(parseCli(['--help'], {}).kind).toBe('help');
    expect(parseCli([], {}).kind).toBe('help');
  });

  it.each([
    [['historical', '--foo'], '--foo'],
    [['explode'], "unknown command 'explode'"],
    [['historical', '--types', 'demand,solar'], "--types: unknown type 'solar'"],
    [['historical', '--regions', 'pacw,../x'], "--regions: '../X'"],
    [['historical', '--regions', 'SPP'], 'did you mean SWPP'],
    [['historical', '--regions', 'ZZZZ'], "unknown respondent 'ZZZZ'"],
    [['historical', '--regions', ''], '--regions must list'],
    [['historical', '--start', '2020-02-30'], '--start must be a UTC date'],
    [['historical', '--start', 'yesterday'], '--start must be a UTC date'],
    [['historical', '--end', '2020-01-01T24'], '--end must be a UTC date'],
    [['historical', '--start', '2021-01-01', '--end', '2020-01-01'], 'must be after --start'],
    [['historical', '--start', '2021-01-01', '--end', '2021-01-01'], 'must be after --start'],
    [['historical', '--start', '2010-01-01', '--end', '2018-06-01'], 'before 2019-01-01T00'],
    [['historical', '--concurrency', '0'], '--concurrency must be a whole number from 1 to 64'],
    [['historical', '--concurrency', 'many'], '--concurrency'],
    [['historical', '--requests-per-second', '-1'], '--requests-per-second'],
    [['historical', '--log-level', 'loud'], '--log-level must be one of'],
    [['quick'], 'quick requires --phase, one of connectivity, small, medium, full'],
    [['quick', '--phase', 'huge'], "got 'huge'"],
    [['historical', '--phase', 'small'], "--phase only applies to 'quick'"],
    [['historical', '--bulk-clock', 'local'], "--bulk-clock only applies to 'historical --source bulk'"],
    [['historical', '--source', 'bulk', '--bulk-clock', 'eastern'], "--bulk-clock must be one of utc, local (got 'eastern')"],
    [['historical', '--types', 'demand,co2'], "--types co2: EIA publishes its CO2 series only in the bulk file EBA.zip (no API route, not in the six-month CSVs); use 'historical --source bulk'"],
    [['historical', '--source', 'grid-monitor', '--types', 'co2'], '--types co2: EIA publishes its CO2 series only in the bulk file'],
    [['incremental', '--types', 'co2'], "use 'historical --source bulk'"],
    [['plan', '--types', 'co2'], "use 'historical --source bulk'"],
    [['historical', 'extra'], "unexpected argument 'extra'"],
    [['historical', '--config', '/nonexistent/eia.json'], "--config: cannot read '/nonexistent/eia.json'"],
  ])('rejects %j with a one-line message naming the flag', (args, fragment) => {
    expect(errorOf(args)).toContain(fragment);
  });

  it('rejects a malformed key and a base URL without a key, without echoing the key', () => {
    const msg = errorOf(['historical'], { EIA_API_KEY: 'short-key!' });
    expect(msg).toContain('EIA_API_KEY');
    expect(msg).not.toContain('short-key!');
    expect(errorOf(['historical'], { EIA_BASE_URL: 'http://127.0.0.1:1/v2' })).toContain('EIA_API_KEY is not');
  });

  it('accepts --types co2 with historical --source bulk', () => {
    expect(run(['historical', '--source', 'bulk', '--types', 'demand,co2']).types).toEqual(['demand', 'co2']);
  });

  it('clamps a start before 2019 with a warning', () => {
    const c = run(['historical', '--start', '2015-07-01', '--end', '2019-02-01']);
    expect(c.startMs).toBe(Date.UTC(2019, 0, 1));
    expect(c.warnings.join()).toContain('clamped');
  });

  it('warns once, naming the limit, for budgets above EIA\'s documented key limits (still allowed)', () => {
    expect(run(['historical']).warnings).toEqual([]);
    const c = run(['historical', '--requests-per-hour', '9001', '--requests-per-second', '6']);
    expect(c.requestsPerHour).toBe(9001);
    expect(c.requestsPerSecond).toBe(6);
    expect(c.warnings).toHaveLength(2);
    expect(c.warnings[0]).toMatch(/^--requests-per-hour 9001 is above EIA's documented key limit of 9000 per hour/);
    expect(c.warnings[1]).toMatch(/^--requests-per-second 6 is above EIA's documented key limit of 5 per second/);
    expect(run(['historical', '--requests-per-hour', '9000', '--requests-per-second', '5']).warnings).toEqual([]);
  });

  it('puts the budget record in the data directory unless --budget-file or EIA_BUDGET_FILE names one', () => {
    expect(run(['historical', '--data-dir', 'out/x']).budgetFile).toBe(path.join('out', 'x', 'budget.log'));
    expect(run(['historical'], { EIA_BUDGET_FILE: 'shared/key.log' }).budgetFile).toBe('shared/key.log');
    expect(run(['historical', '--budget-file', 'flag.log'], { EIA_BUDGET_FILE: 'shared/key.log' }).budgetFile).toBe('flag.log');
    expect(errorOf(['historical', '--budget-file', ' '])).toMatch(/^--budget-file \(or EIA_BUDGET_FILE\) must not be empty/);
  });

  it('accepts hour bounds and the quick ladder', () => {
    const c = run(['historical', '--start', '2024-01-01T05', '--end', '2024-01-02T07']);
    expect(c.startMs).toBe(Date.UTC(2024, 0, 1, 5));
    expect(c.endMs).toBe(Date.UTC(2024, 0, 2, 7));
    const q = run(['quick', '--phase', 'full']);
    expect(q.regions).toHaveLength(5);
    expect(q.endMs - q.startMs).toBe(91 * 24 * 3600_000);
  });
});

describe('value errors name the value and the rule', () => {
  it.each([
    [['historical', '--concurrency', '-5'], "--concurrency must be a whole number from 1 to 64 (got '-5')"],
    [['historical', '--requests-per-hour', '-100'], "--requests-per-hour must be a whole number from 1 to 1000000 (got '-100')"],
    [['incremental', '--lookback-hours', '-1'], "--lookback-hours must be a whole number from 1 to 8760 (got '-1')"],
    [['historical', '--start', '-2019-01-01'], "--start must be a UTC date YYYY-MM-DD or hour YYYY-MM-DDTHH (got '-2019-01-01')"],
    [['historical', '--regions', '-PACW'], "--regions: '-PACW'"],
  ])('%j → %s', (args, message) => {
    expect(errorOf(args)).toContain(message);
  });

  it('says a value is missing rather than calling the flag unknown', () => {
    expect(errorOf(['historical', '--start'])).toMatch(/^--start needs a value/);
    expect(errorOf(['historical', '--data-dir', '--fresh'])).toMatch(/^--data-dir needs a value/);
    expect(errorOf(['historical', '--fresh=yes'])).toBe('--fresh is a switch and takes no value; write --fresh alone');
  });

  it('still calls a dash word that is no option unknown, and keeps values after --', () => {
    expect(errorOf(['historical', '-5'])).toMatch(/^unknown or malformed option -5; allowed: --start/);
    expect(errorOf(['historical', '--concurrency', '--', '-5'])).toMatch(/^--concurrency needs a value/);
  });

  it('says quick needs --phase and lists the phases', () => {
    const msg = errorOf(['quick', '--data-dir', 'd']);
    expect(msg).toMatch(/^quick requires --phase, one of connectivity, small, medium, full/);
  });
});

describe('the --config file', () => {
  it('gives the options it names, camelCase; flags win over it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'eia-config-'));
    try {
      const file = path.join(dir, 'eia.json');
      await writeFile(file, JSON.stringify({ regions: ['pacw'], types: ['demand'], concurrency: 3, start: '2024-01-01', end: '2024-02-01', logLevel: 'debug' }));
      const c = run(['historical', '--config', file, '--concurrency', '9']);
      expect([c.regions, c.types, c.concurrency, c.logLevel, c.rangeGiven]).toEqual([['PACW'], ['demand'], 9, 'debug', true]);
      expect(c.startMs).toBe(Date.UTC(2024, 0, 1));
      await writeFile(file, JSON.stringify({ concurrency: '3' }));
      expect(errorOf(['historical', '--config', file])).toMatch(/^--config: field 'concurrency' in '.*': Expected number, received string; allowed fields: start, end, regions/);
      await writeFile(file, JSON.stringify({ concurrency: 0 }));
      expect(errorOf(['historical', '--config', file])).toBe("--concurrency must be a whole number from 1 to 64 (got '0')");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
