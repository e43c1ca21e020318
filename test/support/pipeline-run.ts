/**
 * Running a pipeline command in-process as the CLI would, and reading the warehouse it wrote: what the end-to-end
 * tests of the pipelines share. The command runs with `--json` (its summary is returned parsed), `--no-progress`,
 * a silent logger and a fixed clock.
 */
import { Writable } from 'node:stream';
import { parseCli } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { runCommand } from '../../src/pipelines/run.js';
import { openWarehouse } from '../../src/pipelines/warehouse.js';

/** A stream that drops what it is given (stderr of a command under test). */
export const discard = (): NodeJS.WriteStream => new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;

/** Run `args` (a command and its flags) on `dataDir` with `env` at `now`; resolves to the `--json` summary. */
export async function runJson(args: readonly string[], dataDir: string, env: Record<string, string>, now: number): Promise<Record<string, unknown>> {
  let out = '';
  const stdout = new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) }) as unknown as NodeJS.WriteStream;
  const parsed = parseCli([...args, '--json', '--data-dir', dataDir, '--no-progress'], env);
  if (parsed.kind !== 'run') throw new Error('expected a run');
  await runCommand(parsed.config, { logger: silentLogger(), signal: new AbortController().signal, stdout, stderr: discard(), now: () => now });
  return JSON.parse(out) as Record<string, unknown>;
}

/** The rows of `sql` on the data directory's warehouse, BIGINTs as numbers. */
export async function warehouseRows(dataDir: string, sql: string): Promise<unknown[][]> {
  const wh = await openWarehouse(dataDir);
  try {
    const conn = await wh.connect();
    const rows = (await conn.runAndReadAll(sql)).getRows();
    conn.closeSync();
    return rows.map((r) => r.map((x) => (typeof x === 'bigint' ? Number(x) : x)));
  } finally {
    await wh.close();
  }
}
