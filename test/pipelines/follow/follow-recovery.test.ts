/**
 * follow keeps going: a sink error fails a cycle loudly (one log line) and a later cycle retries and succeeds; a
 * reader holding the warehouse makes a cycle wait with a visible line instead of failing; the abort signal ends
 * follow with exit code 0.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCli } from '../../../src/config.js';
import { createLogger } from '../../../src/core/logger.js';
import { runFollow } from '../../../src/pipelines/commands/follow.js';
import { startSimulator } from '../../../src/simulator/index.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
/** Opens the file read-only (retrying while a cycle holds it), says so, and holds it until stdin closes. */
const READER = `
const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  for (;;) {
    try {
      const db = await DuckDBInstance.create(process.argv[1], { access_mode: 'READ_ONLY' });
      process.stdout.write('open\\n');
      process.stdin.on('end', () => { db.closeSync(); process.exit(0); });
      process.stdin.resume();
      return;
    } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
})();`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('follow recovery', () => {
  it('retries after a sink error, waits for a reader, and stops with exit 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eia-follow-rec-'));
    dirs.push(dir);
    const dataDir = path.join(dir, 'data');
    mkdirSync(dataDir);
    // A file where the Parquet sink needs a directory: every commit fails until it is removed.
    writeFileSync(path.join(dataDir, 'parquet'), 'not a directory');
    const sim = await startSimulator({ nowMs: Date.UTC(2026, 5, 1), clockSpeed: 3600, budget: null });
    let log = '';
    const logger = createLogger({ level: 'info', destination: new Writable({ write: (c, _e, cb) => ((log += String(c)), cb()) }) });
    const parsed = parseCli(['follow', '--data-dir', dataDir, '--regions', 'PACW', '--types', 'demand', '--interval-seconds', '1', '--metrics-port', '0'], {
      EIA_API_KEY: 'FOLLOWTESTKEY0123456789',
      EIA_BASE_URL: sim.baseUrl,
    });
    if (parsed.kind !== 'run') throw new Error('help');
    const ac = new AbortController();
    const sink = new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;
    const done = runFollow(parsed.config, { logger, signal: ac.signal, stdout: sink, stderr: sink });
    try {
      const waitFor = async (re: RegExp) => {
        for (let t = 0; !re.test(log); t++) {
          if (t > 300) throw new Error(`timed out waiting for ${re}\n${log}`);
          await sleep(100);
        }
      };
      await waitFor(/cycle FAILED \(1 in a row\)/);
      rmSync(path.join(dataDir, 'parquet'));
      await waitFor(/historical cycle ok/);

      // A reader in another process (DuckDB's file lock is per process) holds the warehouse across a cycle start:
      // the cycle waits and then succeeds.
      const okBefore = (log.match(/cycle ok/g) ?? []).length;
      const reader = spawn(process.execPath, ['-e', READER, path.join(dataDir, 'eia.duckdb')], { stdio: ['pipe', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => reader.stdout!.once('data', () => resolve()));
      await waitFor(/the warehouse is held by another process/);
      reader.stdin!.end();
      await new Promise((r) => reader.once('exit', r));
      await waitFor(new RegExp(`(cycle ok[^]*){${okBefore + 1}}`));
      ac.abort();
      expect((await done).exitCode).toBe(0);
      expect(log).toMatch(/follow: stopped/);
    } finally {
      ac.abort();
      await done.catch(() => undefined);
      await sim.close();
    }
  }, 60_000);
});
