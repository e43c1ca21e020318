/**
 * The CLI as a user runs it (child process): exit codes, one-line errors without stack traces, help, and Ctrl-C
 * (SIGINT) stopping cleanly with exit 130 and a resumable state.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWarehouse } from '../src/store/duckdb/warehouse.js';
import { startSimulator, type SimulatorHandle } from '../src/simulator/index.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const KEY = 'CLITESTKEY0123456789ABCDEFGHIJKLMNOPQRST';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}, onSpawn?: (p: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    onSpawn?.(p);
  });
}

let dir: string;
let sim: SimulatorHandle | null = null;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eia-cli-'));
});
afterEach(async () => {
  await sim?.close();
  sim = null;
  await rm(dir, { recursive: true, force: true });
});

describe('cli', () => {
  it('prints help with every command and exits 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['historical', 'incremental', 'replay', 'plan', 'quick', '--data-dir', 'EIA_API_KEY']) expect(r.stdout).toContain(c);
  });

  it('prints a command\'s own help (quick: the phases explained) and exits 0', async () => {
    const r = await cli(['quick', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: npm run pipeline quick -- --phase connectivity|small|medium|full');
    for (const p of ['connectivity', 'small', 'medium', 'full']) expect(r.stdout).toMatch(new RegExp(`\\n  ${p} +2024-`));
    expect(r.stdout).toContain('npm run pipeline quick -- --phase connectivity');
  });

  it('names a negative value and the rule, and asks quick for its phase, exit 2', async () => {
    const data = path.join(dir, 'never');
    const neg = await cli(['historical', '--concurrency', '-5', '--data-dir', data]);
    expect(neg.code).toBe(2);
    expect(neg.stderr.split('\n')[0]).toBe(
      "eia-stream: error: --concurrency must be a whole number from 1 to 64 (got '-5') [ETL_CONFIG_INVALID]",
    );
    const quick = await cli(['quick', '--data-dir', data]);
    expect(quick.code).toBe(2);
    expect(quick.stderr).toContain('quick requires --phase, one of connectivity, small, medium, full');
    expect(existsSync(data)).toBe(false);
  });

  it('rejects bad usage with one line naming the flag, exit 2, no stack trace, nothing written', async () => {
    const data = path.join(dir, 'never');
    const r = await cli(['historical', '--types', 'demand,wind', '--data-dir', data]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--types: unknown type 'wind'; allowed: demand, forecast");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(data)).toBe(false);
  });

  it('names an unwritable data directory and exits 2', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'not a directory');
    const r = await cli(['quick', '--phase', 'connectivity', '--data-dir', path.join(file, 'data')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--data-dir '${path.join(file, 'data')}' is not a writable directory (ENOTDIR)`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('stops on Ctrl-C with exit 130 and a resume hint; re-running completes the job', async () => {
    sim = await startSimulator({ budget: null, latency: { baseMs: 40, perRowMs: 0, jitterMs: 0 } });
    const env = { EIA_API_KEY: KEY, EIA_BASE_URL: sim.baseUrl };
    const args = ['historical', '--start', '2023-01-01', '--end', '2024-01-01', '--regions', 'PACW,ERCO', '--types', 'demand,generation',
      '--data-dir', dir, '--no-progress', '--requests-per-second', '20', '--requests-per-hour', '100000', '--concurrency', '2'];
    const interrupted = await cli([...args, '--log-level', 'debug'], env, (p) => {
      // Interrupt once a unit is committed (its debug line) and more pages were fetched: on a loaded machine a
      // request count alone can come before the first commit, and then the re-run has nothing to skip.
      let committed = false;
      p.stderr!.on('data', (d) => {
        if (String(d).includes('"unit committed"')) committed = true;
      });
      const t = setInterval(() => {
        if (committed && sim!.requestLog.length >= 12) {
          clearInterval(t);
          p.kill('SIGINT');
        }
      }, 20);
      p.on('close', () => clearInterval(t));
    });
    expect(interrupted.code, interrupted.stderr.slice(-2000)).toBe(130);
    expect(interrupted.stderr).toContain('re-run the same command to resume');
    expect(interrupted.stderr).not.toMatch(/\n\s+at /);
    const done = await cli([...args, '--json'], env);
    expect(done.code).toBe(0);
    const summary = JSON.parse(done.stdout);
    const wh = await openWarehouse(dir);
    try {
      const conn = await wh.connect();
      const [[rows, keys]] = (await conn.runAndReadAll('SELECT count(*), count(DISTINCT (dataset, respondent, series, period)) FROM observations')).getRows();
      const runs = (await conn.runAndReadAll('SELECT status FROM runs ORDER BY started_at')).getRows().map((r) => r[0]);
      conn.closeSync();
      expect(Number(keys)).toBe(Number(rows));
      expect(runs).toEqual(['interrupted', 'ok']);
      // The second run fetched only what the first had not committed, and the total is the whole job.
      expect(summary.unitsSkipped + summary.units).toBeGreaterThan(summary.units);
      expect(Number(rows)).toBeGreaterThan(summary.rowsLoaded);
    } finally {
      await wh.close();
    }
  });
});
