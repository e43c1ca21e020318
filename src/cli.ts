/**
 * `npm run pipeline <command>` and `npm run query`: the edge. Owns argv, the environment (and `.env`), signals, stdout and exit codes.
 * Everything below receives a frozen config and an AbortSignal.
 *
 * Exit codes: 0 ok · 1 the run failed (one-line message, details in the log) · 2 bad usage (nothing written)
 * · 130 interrupted (Ctrl-C; re-run the same command to resume).
 */
import { existsSync } from 'node:fs';
import { parseCli } from './config.js';
import { configureCrashPoints } from './core/crash-points.js';
import { EtlError, isEtlError, userMessage } from './core/errors.js';
import { applyHeapPolicy } from './core/heap.js';
import { createLogger } from './core/logger.js';
import { runFollow } from './pipelines/commands/follow.js';
import { queryMain } from './pipelines/commands/query.js';
import { runCommand } from './pipelines/run.js';

async function main(): Promise<number> {
  applyHeapPolicy();
  if (existsSync('.env') && typeof process.loadEnvFile === 'function') {
    try {
      process.loadEnvFile('.env');
    } catch {
      process.stderr.write('eia-stream: error: .env could not be read (expected KEY=value lines)\n');
      return 2;
    }
  }
  // `query` has its own arguments and never needs the key or the pipeline's config.
  if (process.argv[2] === 'query') return queryMain(process.argv.slice(3), { stdout: process.stdout, stderr: process.stderr });
  const secret = process.env.EIA_API_KEY?.trim() || undefined;
  let parsed;
  try {
    parsed = parseCli(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`eia-stream: error: ${userMessage(e, secret)}\n`);
    process.stderr.write(`Run 'npm run pipeline -- --help' for usage.\n`);
    return 2;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(parsed.text);
    return 0;
  }
  const config = parsed.config;
  configureCrashPoints(process.env.EIA_STREAM_CRASH_AT);
  const logger = createLogger({ level: config.logLevel, secret: config.apiKey ?? undefined });
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    logger.warn(`${sig}: stopping — flushing committed work; press Ctrl-C again to quit at once`);
    controller.abort(new EtlError('ETL_ABORTED', 'pipeline', `interrupted by ${sig}`));
    // If something below ignores the abort (a stuck filesystem call), leave anyway; committed units are safe.
    setTimeout(() => {
      process.stderr.write('eia-stream: still stopping after 20 s; exiting. Re-run the same command to resume.\n');
      process.exit(130);
    }, 20_000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await (config.command === 'follow' ? runFollow : runCommand)(config, { logger, signal: controller.signal, stdout: process.stdout, stderr: process.stderr });
    return result.exitCode;
  } catch (e) {
    if (isEtlError(e, 'ETL_ABORTED')) return 130;
    const code = isEtlError(e) && e.code === 'ETL_CONFIG_INVALID' ? 2 : 1;
    logger.debug({ err: e }, 'run failed');
    process.stderr.write(`eia-stream: error: ${userMessage(e, secret)}\n`);
    return code;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
    // Give stdout/stderr a tick to drain, then leave even if a handle (pool, worker) lingers.
    setTimeout(() => process.exit(code), 50).unref();
  },
  (e) => {
    process.stderr.write(`eia-stream: internal error: ${userMessage(e, process.env.EIA_API_KEY)}\n`);
    process.exit(1);
  },
);
