/** `npm run simulator` (docs/eia-api.md §15): flags → options, one-line errors naming the flag, first stdout line. */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { FLAGS, helpText, parseCliArgs } from '../../src/simulator/cli-args.js';
import { KEY, get, repoRoot } from './helpers.js';

describe('parseCliArgs', () => {
  it('maps flags to simulator options', () => {
    const cfg = parseCliArgs([
      '--port', '8123', '--seed=9', '--keys', 'k1,k2', '--latency', '10,0.01,5', '--faults', '503=0.2,reset=0.01',
      '--fault-script', '2=truncate', '--budget', 'off', '--throttle-mode', '403-suspend', '--request-log', 'req.jsonl',
      '--quirks', 'nullValue=0.1,taxonomyChange=false,missingExempt=PACW;ERCO', '--unstable-ties', '--now', '2025-01-01T00:00:00Z',
    ]);
    expect(cfg.port).toBe(8123);
    expect(cfg.options).toEqual({
      seed: 9, keys: ['k1', 'k2'], latency: { baseMs: 10, perRowMs: 0.01, jitterMs: 5 },
      faults: { rates: { '503': 0.2, reset: 0.01 }, script: { 2: 'truncate' } }, budget: null, throttleMode: '403-suspend',
      requestLogPath: 'req.jsonl', quirks: { nullValue: 0.1, taxonomyChange: false, missingExempt: ['PACW', 'ERCO'] },
      unstableTies: true, nowMs: Date.UTC(2025, 0, 1),
    });
  });

  it('rejects unknown flags and bad values with a message naming the flag', () => {
    expect(() => parseCliArgs(['--bogus'])).toThrow(/--bogus/);
    expect(() => parseCliArgs(['--seed', 'x'])).toThrow(/--seed/);
    expect(() => parseCliArgs(['--faults', '418=0.5'])).toThrow(/--faults/);
    expect(() => parseCliArgs(['--budget', '5'])).toThrow(/--budget/);
    expect(() => parseCliArgs(['--port'])).toThrow(/--port expects a value/);
    expect(() => parseCliArgs(['--quirks', 'nope=1'])).toThrow(/--quirks .*nope/);
  });

  it('lists every flag in --help', () => {
    const help = helpText();
    for (const flag of Object.keys(FLAGS)) expect(help).toContain(flag);
  });
});

describe('npm run simulator', () => {
  const tsxCli = ['--import', 'tsx', 'src/simulator/cli.ts'];

  it('prints "EIA simulator listening on http://127.0.0.1:N/v2" as its first line and serves there', async () => {
    const proc = spawn(process.execPath, [...tsxCli, '--port', '0', '--budget', 'off'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: proc.stdout }).once('line', resolve);
        proc.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const m = /^EIA simulator listening on (http:\/\/127\.0\.0\.1:(\d+)\/v2)$/.exec(line);
      expect(m).not.toBeNull();
      const r = await get(m![1], `/v2/electricity/rto?api_key=${KEY}`);
      expect(r.status).toBe(200);
    } finally {
      proc.kill('SIGTERM');
    }
  });

  it('exits 2 with one line naming a bad flag', () => {
    const r = spawnSync(process.execPath, [...tsxCli, '--warp-speed', '9'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--warp-speed');
    expect(r.stdout).toBe('');
  });
});
