/**
 * Child processes for the end-to-end benches: the simulator (`src/simulator/cli.ts`) and the pipeline
 * (`src/cli.ts`), each in its own Node process so that its peak RSS and CPU time are its own.
 *
 * A child is sampled from `/proc/<pid>` every `SAMPLE_MS` while it runs: `VmHWM` (peak RSS, kernel-kept, so a
 * sample just before exit sees the true peak) and `utime + stime` (CPU seconds, every thread included: DuckDB's
 * worker threads and libuv's thread pool count). Sampling costs a few µs per tick.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The repository root (cwd of every child). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Key given to the pipeline (`EIA_API_KEY`) and accepted by the simulator (any 20–64 alphanumerics). */
export const BENCH_KEY = 'BENCHKEY0123456789abcdef';
/** Simulated "now" of every simulator run: after the default range, so publication lag never cuts it. */
export const SIM_NOW_MS = Date.UTC(2026, 1, 1);
const SAMPLE_MS = 100;
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** What was sampled from `/proc/<pid>` (null fields: not on Linux, or the child was gone before a sample). */
export interface ProcFigures {
  /** Highest `VmHWM` seen, MB (2^20 bytes, as the pipeline's own `peakRssMb`). */
  peakRssMb: number | null;
  /** user + system CPU seconds at the last sample. */
  cpuSec: number | null;
  /** The same, of the main thread alone (`/proc/<pid>/task/<pid>`): the rest ran on V8's and libuv's threads. */
  mainThreadCpuSec: number | null;
}

/** Polls `/proc/<pid>` until `stop()`. */
export function sampleProc(pid: number | undefined): { stop(): ProcFigures; figures(): ProcFigures } {
  let peakKb: number | null = null;
  let ticks: number | null = null;
  let mainTicks: number | null = null;
  const cpuTicks = (file: string) => {
    const stat = readFileSync(file, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15 of stat(5))
  };
  const tick = () => {
    if (pid === undefined) return;
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb ?? 0, Number(m[1]));
      const all = cpuTicks(`/proc/${pid}/stat`);
      const main = cpuTicks(`/proc/${pid}/task/${pid}/stat`);
      ticks = all;
      mainTicks = main;
    } catch {
      // the process has exited between two samples
    }
  };
  tick();
  const timer = setInterval(tick, SAMPLE_MS);
  const figures = (): ProcFigures => ({
    peakRssMb: peakKb === null ? null : Math.round(peakKb / 1024),
    cpuSec: ticks === null ? null : ticks / CLOCK_TICKS,
    mainThreadCpuSec: mainTicks === null ? null : mainTicks / CLOCK_TICKS,
  });
  return {
    figures,
    stop() {
      tick();
      clearInterval(timer);
      return figures();
    },
  };
}

/** A running simulator child. */
export interface SimulatorChild {
  readonly baseUrl: string;
  readonly pid: number | undefined;
  /** SIGTERM, wait for exit (the request log is flushed on exit); returns the child's CPU and peak RSS. */
  stop(): Promise<ProcFigures>;
}

/** Options of a simulator child (flags of `src/simulator/cli.ts`). */
export interface SimulatorChildOptions {
  /** `--budget`: `off`, or omitted for the simulator's default (5/s, 9,000/h). */
  budget?: 'off';
  /** `--latency BASE,PERROW,JITTER` in ms, or omitted for none. */
  latency?: string;
  /** `--request-log PATH` (JSON lines). */
  requestLog?: string;
  /** `--arrival-jitter-ms J`: each request is stamped and counted a random 0…J ms after it arrives. */
  arrivalJitterMs?: number;
  /** `--universe perturbed[:SEED]`: serve a universe the planner's table does not describe. */
  universe?: string;
}

/** Start `src/simulator/cli.ts` on an ephemeral port with `--now SIM_NOW_MS`; resolves once it listens. */
export async function startSimulatorChild(opts: SimulatorChildOptions = {}): Promise<SimulatorChild> {
  const args = ['--import', 'tsx', 'src/simulator/cli.ts', '--port', '0', '--now', String(SIM_NOW_MS)];
  if (opts.budget) args.push('--budget', opts.budget);
  if (opts.latency) args.push('--latency', opts.latency);
  if (opts.requestLog) args.push('--request-log', opts.requestLog);
  if (opts.arrivalJitterMs) args.push('--arrival-jitter-ms', String(opts.arrivalJitterMs));
  if (opts.universe) args.push('--universe', opts.universe);
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const rl = createInterface({ input: proc.stdout! });
  const line = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve);
    proc.once('exit', (c) => reject(new Error(`simulator exited with ${c} before listening`)));
  });
  rl.close();
  proc.stdout!.resume();
  const m = /listening on (http:\/\/\S+)/.exec(line);
  if (!m) {
    proc.kill('SIGTERM');
    throw new Error(`simulator: unexpected first line: ${line}`);
  }
  const sampler = sampleProc(proc.pid);
  const exited = new Promise<void>((resolve) => (proc.exitCode !== null ? resolve() : proc.once('exit', () => resolve())));
  return {
    baseUrl: m[1],
    pid: proc.pid,
    async stop() {
      const f = sampler.stop();
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      return f;
    },
  };
}

/** What a child run returned. */
export interface ChildRun<T> extends ProcFigures {
  /** The last stdout line, parsed as JSON. */
  result: T;
  /** Spawn to exit, ms (includes Node + tsx start-up, ~0.5–1 s). */
  wallMs: number;
}

/** Options of `runNodeChild`. */
export interface NodeChildOptions {
  env?: Record<string, string>;
  /** Extra Node flags before the script (e.g. `--cpu-prof`). */
  nodeFlags?: string[];
}

/**
 * Run `node [nodeFlags] --import tsx <script> …args` in ROOT (a `.js` script runs without tsx), sampling it;
 * resolves with its last stdout line parsed as JSON. Rejects (with the tail of stderr) on a non-zero exit.
 */
export async function runNodeChild<T>(script: string, args: readonly string[], opts: NodeChildOptions = {}): Promise<ChildRun<T>> {
  const t0 = performance.now();
  const proc: ChildProcess = spawn(process.execPath, [...(opts.nodeFlags ?? []), ...(script.endsWith('.js') ? [] : ['--import', 'tsx']), script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sampler = sampleProc(proc.pid);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => {
    err += d;
    if (err.length > 20_000) err = err.slice(-10_000);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (c) => resolve(c));
  });
  const wallMs = performance.now() - t0;
  const f = sampler.stop();
  const last = out.trim().split('\n').pop() ?? '';
  if (code !== 0) {
    const lines = err.trim().split('\n');
    const first = lines.find((l) => /error/i.test(l)) ?? '';
    throw new Error(`${script} ${args.join(' ')} exited with ${code}: ${first} … ${lines.slice(-3).join(' | ')}`);
  }
  let result: T;
  try {
    result = JSON.parse(last) as T;
  } catch {
    throw new Error(`${script}: last stdout line is not JSON: ${last.slice(0, 200)}`);
  }
  return { result, wallMs: Math.round(wallMs), ...f };
}
