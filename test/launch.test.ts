/**
 * How users launch the pipeline (`npm run pipeline`): the build script bundles `src/cli.ts` into one module that
 * runs on plain Node, and package.json launches it with the flags and environment `src/core/heap.ts` documents
 * (the bench launches it the same way).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { LAUNCH_ENV, LAUNCH_NODE_FLAGS } from '../src/core/heap.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, '.test-dist', `launch-${process.pid}`);
let dataDir = '';

afterAll(async () => {
  await rm(OUT, { recursive: true, force: true });
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('launch', () => {
  it('package.json runs the built CLI with every launch flag and variable', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const script = pkg.scripts.pipeline;
    expect(script).toMatch(/^node scripts\/build\.mjs && /);
    expect(script).toMatch(/ dist\/cli\.js$/);
    for (const flag of LAUNCH_NODE_FLAGS) expect(script).toContain(` ${flag} `);
    for (const [k, v] of Object.entries(LAUNCH_ENV)) expect(script).toContain(`${k}=${v} node `);
    // The README shows the same launch line for schedulers that run the built file directly.
    const launch = `${Object.entries(LAUNCH_ENV).map(([k, v]) => `${k}=${v}`).join(' ')} node ${LAUNCH_NODE_FLAGS.join(' ')} dist/cli.js`;
    expect(script).toContain(launch);
    expect(await readFile(path.join(ROOT, 'README.md'), 'utf8')).toContain(launch);
  });

  it('the bundle runs on plain Node: a connectivity run against the in-process simulator ends ok', async () => {
    await run(process.execPath, ['scripts/build.mjs', OUT], { cwd: ROOT });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'eia-launch-'));
    const env = { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...LAUNCH_ENV };
    const r = await run(
      process.execPath,
      [...LAUNCH_NODE_FLAGS, path.join(OUT, 'cli.js'), 'quick', '--phase', 'connectivity', '--data-dir', dataDir, '--json', '--no-progress'],
      { cwd: ROOT, env },
    );
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { status: string; source: string; rowsLoaded: number; rowsReceived: number };
    expect(summary).toMatchObject({ status: 'ok', source: 'simulator' });
    expect(summary.rowsLoaded).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/BUILT-IN SIMULATOR/);
  }, 60_000);
});
