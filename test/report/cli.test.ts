/** `npm run report` as a user runs it: one-line errors with exit 2 and nothing written, help, a written page. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReportArgs } from '../../src/pipelines/commands/report.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eia-report-cli-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function report(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/report-cli.ts', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir() } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('report command', () => {
  it('parses --data-dir and --out, with the out dir under the data dir by default', () => {
    expect(parseReportArgs(['--data-dir', 'd'])).toEqual({ kind: 'run', options: { dataDir: 'd', outDir: path.join('d', 'report') } });
    expect(parseReportArgs(['--data-dir', 'd', '--out', 'o'])).toEqual({ kind: 'run', options: { dataDir: 'd', outDir: 'o' } });
    expect(parseReportArgs(['--help']).kind).toBe('help');
    expect(() => parseReportArgs(['--out', ''])).toThrow(/--out must name a directory/);
    expect(() => parseReportArgs(['extra'])).toThrow(/unexpected argument 'extra'; allowed: --data-dir DIR, --out DIR, --help/);
  });

  it('a bad flag: one line naming the allowed flags, exit 2, no stack trace', async () => {
    const r = await report(['--colour', 'red']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('unknown or malformed option --colour; allowed: --data-dir DIR, --out DIR, --help');
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('a data dir without a warehouse: one line, exit 2, nothing written', async () => {
    const data = path.join(dir, 'empty');
    const out = path.join(dir, 'out');
    const r = await report(['--data-dir', data, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`--data-dir: no warehouse at ${path.join(data, 'eia.duckdb')}`);
    expect(existsSync(data)).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('a warehouse held by a running pipeline: one line saying so, exit 1', async () => {
    const data = path.join(dir, 'held');
    const holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
      `import { openWarehouse } from './src/pipelines/warehouse.ts';
       const w = await openWarehouse(${JSON.stringify(data)}); process.stdout.write('ready\\n'); setTimeout(() => w.close(), 120000);`],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
        holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
      });
      const r = await report(['--data-dir', data]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('is open for writing by a running pipeline; run the report when it has finished [ETL_LOCKED]');
      expect(existsSync(path.join(data, 'report'))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('--help lists the flags and exits 0', async () => {
    const r = await report(['--help']);
    expect(r.code).toBe(0);
    for (const s of ['--data-dir', '--out', 'SIMULATED DATA']) expect(r.stdout).toContain(s);
  });
});
