/**
 * One structured logger (pino): JSON lines on stderr, pretty on a TTY. Secrets are redacted twice: known paths
 * (`apiKey`, `api_key`, `*.headers["x-api-key"]`) by pino's `redact`, and the literal key value in every line by
 * a write hook, so a key that slipped into a message or URL never reaches the output.
 */
import pino, { type Logger } from 'pino';
import { REDACTED, redactText } from './redact.js';

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
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const secret = opts.secret;
  const pretty = opts.pretty ?? (process.stderr.isTTY === true && !opts.destination);
  const base: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    base: undefined,
    redact: { paths: ['apiKey', 'api_key', '*.apiKey', '*.api_key', 'headers["x-api-key"]'], censor: REDACTED },
  };
  if (pretty) {
    // pino-pretty as a stream in this thread (no worker transport), so the scrub hook sees every line.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const prettyStream = createPrettyStream();
    return pino(base, scrubbing(prettyStream, secret));
  }
  const dest = opts.destination ?? pino.destination({ fd: 2, sync: true });
  return pino(base, scrubbing(dest as NodeJS.WritableStream, secret));
}

/** A logger that writes nothing (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

function scrubbing(dest: NodeJS.WritableStream, secret: string | undefined): pino.DestinationStream {
  if (!secret) return dest as pino.DestinationStream;
  return { write: (line: string) => dest.write(redactText(line, secret)) } as pino.DestinationStream;
}

import { createRequire } from 'node:module';
function createPrettyStream(): NodeJS.WritableStream {
  const require = createRequire(import.meta.url);
  const pinoPretty = require('pino-pretty') as (o: object) => NodeJS.WritableStream;
  return pinoPretty({ colorize: true, destination: 2, sync: true, translateTime: 'SYS:HH:MM:ss' });
}
