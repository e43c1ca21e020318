/**
 * Reliability test support: the CLI as a child process (kill -9 from outside, named crash points, mid-run actions)
 * and in-process runs through `parseCli` + `runCommand`; checks of the CLI's error output.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { PassThrough } from 'node:stream';
import { parseCli } from '../../../src/config.js';
import { createLogger } from '../../../src/core/logger.js';
import { runCommand, type RunResult } from '../../../src/pipelines/run.js';
import type { EiaSourceConfigInput } from '../../../src/sources/eia/config.js';
import { KEY, REPO } from './setup.js';

/** Environment for a CLI run against `baseUrl` with `key` (nothing inherited but PATH and HOME). */
export function cliEnv(baseUrl: string, key = KEY): Record<string, string> {
  return { EIA_API_KEY: key, EIA_BASE_URL: baseUrl };
}

/** Outcome of a CLI child process. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the test (not a crash point) sent the SIGKILL. */
  killedByTest: boolean;
  ms: number;
}

/** How to kill a CLI run with SIGKILL from outside (or, with `action`, to do something to it mid-run). */
export interface KillPlan {
  /** Kill after this many ms. */
  afterMs?: number;
  /** Kill as soon as this returns true (polled every `pollMs`, default 5). */
  when?: () => Promise<boolean>;
  pollMs?: number;
  /** Instead of killing when `when` holds, run this once (e.g. break the data directory). */
  action?: () => Promise<void>;
}

/**
 * Run the CLI (`node --import tsx src/cli.ts …args`, cwd = repo root) as a child process. `env` is the whole
 * environment apart from PATH and HOME; `crashAt` sets `EIA_STREAM_CRASH_AT`; `kill` sends SIGKILL from outside.
 */
export function runCli(
  args: readonly string[],
  opts: { env?: Record<string, string>; crashAt?: string; kill?: KillPlan; timeoutMs?: number } = {},
): Promise<CliResult> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...opts.env };
  if (opts.crashAt) env.EIA_STREAM_CRASH_AT = opts.crashAt;
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  let killedByTest = false;
  let done = false;
  const kill = () => {
    if (done || killedByTest) return;
    killedByTest = true;
    child.kill('SIGKILL');
  };
  const timers: NodeJS.Timeout[] = [];
  if (opts.kill?.afterMs !== undefined) timers.push(setTimeout(kill, opts.kill.afterMs));
  if (opts.kill?.when) {
    const when = opts.kill.when;
    const action = opts.kill.action;
    const poll = async () => {
      while (!done && !killedByTest) {
        if (await when().catch(() => false)) return action ? action() : kill();
        await new Promise((r) => setTimeout(r, opts.kill?.pollMs ?? 5));
      }
    };
    void poll();
  }
  timers.push(setTimeout(kill, opts.timeoutMs ?? 120_000));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      done = true;
      for (const t of timers) clearTimeout(t);
      resolve({ code, signal, stdout, stderr, killedByTest, ms: Date.now() - t0 });
    });
  });
}

/** A writable that collects what is written (stands in for process.stdout/stderr in `runCommand`). */
export function captureStream(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const s = new PassThrough();
  s.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { stream: s as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

/** Outcome of an in-process `runCommand`. */
export interface InProcessResult {
  result: RunResult | null;
  error: unknown;
  stdout: string;
  stderr: string;
  log: string;
}

/**
 * Parse `argv` with `env` exactly like the CLI and run the command in this process, with test-only source
 * settings (short backoffs and timeouts). Never throws: the error, if any, is in `error`.
 */
export async function runInProcess(
  argv: readonly string[],
  env: Record<string, string>,
  opts: { sourceOptions?: Partial<EiaSourceConfigInput>; signal?: AbortSignal; logLevel?: string } = {},
): Promise<InProcessResult> {
  const out = captureStream();
  const err = captureStream();
  const logOut = captureStream();
  const parsed = parseCli(argv, env);
  if (parsed.kind !== 'run') throw new Error('expected a run config');
  const logger = createLogger({ level: opts.logLevel ?? 'warn', secret: parsed.config.apiKey ?? undefined, destination: logOut.stream, pretty: false });
  try {
    const result = await runCommand(parsed.config, {
      logger,
      signal: opts.signal ?? new AbortController().signal,
      stdout: out.stream,
      stderr: err.stream,
      sourceOptions: opts.sourceOptions,
    });
    return { result, error: null, stdout: out.text(), stderr: err.text(), log: logOut.text() };
  } catch (e) {
    return { result: null, error: e, stdout: out.text(), stderr: err.text(), log: logOut.text() };
  }
}

/** Fast retries for in-process runs (the defaults wait up to 30 s and suspend for 60 s). */
export const FAST_RETRY = { baseDelayMs: 40, maxDelayMs: 300, maxAttempts: 30, suspensionCooldownMs: 300 } as const;

/** Lines of the CLI's error shape (`eia-stream: error: …`) in `stderr`. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('eia-stream: error: '));
}

/** True when `stderr` holds a stack frame (`    at …`), as a line or JSON-escaped inside a log line. */
export function hasStackTrace(stderr: string): boolean {
  return /(^|\n|\\n)\s+at /.test(stderr);
}

/** True when the error output is exactly one line of the CLI's shape and carries no stack trace anywhere. */
export function isOneLineError(stderr: string): boolean {
  return errorLines(stderr).length === 1 && !hasStackTrace(stderr);
}

