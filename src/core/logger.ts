/**
 * One structured logger (pino): JSON lines on stderr, pretty on a TTY. Secrets are redacted twice: known paths
 * (`apiKey`, `api_key`, `*.headers["x-api-key"]`) by pino's `redact`, and the literal key value in every line by
 * a write hook, so a key that slipped into a message or URL never reaches the output.
 *
 * Lines for stderr go through its shared status line (`status-line.ts`), so they never share a row with the
 * progress bar. Pretty lines are formatted synchronously in this thread (pino-pretty's `prettyFactory`), so the
 * scrub hook and the status line see every line, in order.
 */
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import { REDACTED, redactText } from './redact.js';
import { stderrStatusLine, type StatusLine } from './status-line.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** pino level: fatal, error, warn, info, debug, trace, silent. */
  level?: string;
  /** The API key to scrub from every line (optional). */
  secret?: string;
  /** Pretty output (default: stderr is a TTY). */
  pretty?: boolean;
  /** Destination (default: stderr, fd 2). Tests pass a stream to capture lines. */
  destination?: NodeJS.WritableStream;
  /** Write lines above this status line (default: stderr's, unless `destination` is given). */
  statusLine?: StatusLine;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const secret = opts.secret;
  const pretty = opts.pretty ?? (process.stderr.isTTY === true && !opts.destination);
  const level = opts.level ?? 'info';
  const base: pino.LoggerOptions = {
    level,
    base: undefined,
    // An error logged beside the one the CLI reports (a sink that fails to close after the run failed) is a
    // line for the user, not a trace: stacks and causes only at debug and trace.
    serializers: { err: level === 'debug' || level === 'trace' ? pino.stdSerializers.err : briefError },
    redact: { paths: ['apiKey', 'api_key', '*.apiKey', '*.api_key', 'headers["x-api-key"]'], censor: REDACTED },
  };
  const status = opts.statusLine ?? (opts.destination ? null : stderrStatusLine());
  const dest = opts.destination;
  const out: (line: string) => void = status ? (line) => status.writeAbove(line) : (line) => void dest!.write(line);
  const format = pretty ? prettyFormatter() : (line: string) => line;
  const scrub = secret ? (line: string) => redactText(line, secret) : (line: string) => line;
  return pino(base, { write: (line: string) => out(scrub(format(line))) } as pino.DestinationStream);
}

/** An error as `{type, code, message}` (no stack, no cause chain). */
function briefError(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const code = (e as { code?: unknown }).code;
  return { type: e.name, ...(code === undefined ? {} : { code }), message: e.message };
}

/** A logger that writes nothing (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** pino-pretty's formatter (JSON line → coloured text line), run in this thread. */
function prettyFormatter(): (line: string) => string {
  const require = createRequire(import.meta.url);
  const { prettyFactory } = require('pino-pretty') as { prettyFactory: (o: object) => (line: string) => string };
  return prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss' });
}
