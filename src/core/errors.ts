/**
 * The one typed error of eia-stream. Every thrown error that crosses a component boundary is an `EtlError` with a
 * stable `code` (for programs and tests) and the `stage` it came from. Messages never contain the API key: build
 * them from redacted URLs (`redactUrl`) only.
 */
import { redactText } from './redact.js';

export type EtlErrorCode =
  /** Bad CLI flag, option or config value (exit code 2). */
  | 'ETL_CONFIG_INVALID'
  /** 403 API_KEY_INVALID: fatal for the run. */
  | 'ETL_API_KEY_INVALID'
  /** 403 API_KEY_MISSING: fatal for the run. */
  | 'ETL_API_KEY_MISSING'
  /** 403 after earlier success: a temporary key suspension (retried after a cool-down). */
  | 'ETL_KEY_SUSPENDED'
  /** 429 OVER_RATE_LIMIT (retried). */
  | 'ETL_RATE_LIMITED'
  /** 5xx or another unexpected status (retried when 5xx). */
  | 'ETL_HTTP_STATUS'
  /** 400 or a 200 body with `error` code 400: a request bug, never retried. */
  | 'ETL_BAD_REQUEST'
  /** Unknown route (404, or 500 with a 404 body): never retried. */
  | 'ETL_NOT_FOUND'
  /** Connect/header/body timeout (retried). */
  | 'ETL_TIMEOUT'
  /** Connection reset or refused (retried). */
  | 'ETL_NETWORK'
  /** Body shorter than its Content-Length (retried). */
  | 'ETL_BODY_TRUNCATED'
  /** Body is not the JSON envelope we expect: not JSON, HTML, wrong shape (retried). */
  | 'ETL_BODY_MALFORMED'
  /** Body larger than the configured cap (retried, then fatal). */
  | 'ETL_BODY_TOO_LARGE'
  /** A unit's rows do not add up to `total`, or repeat keys, twice in a row. */
  | 'ETL_PAGING_MISMATCH'
  /** Retries exhausted for one request. */
  | 'ETL_RETRIES_EXHAUSTED'
  /** A sink (or the key's budget record) could not persist (disk full, permissions...). */
  | 'ETL_SINK_WRITE'
  /** write() or commitUnit() after close(). */
  | 'ETL_SINK_CLOSED'
  /** The raw archive is missing or inconsistent for replay. */
  | 'ETL_REPLAY_INVALID'
  /** A bulk file (EBA.zip, a six-month CSV) is not in a form the pipeline reads: missing columns, no zip member. */
  | 'ETL_BULK_INVALID'
  /** The run was aborted (Ctrl-C / AbortSignal). */
  | 'ETL_ABORTED'
  /** Another process holds the data directory. */
  | 'ETL_LOCKED'
  /** `npm run query`: the SQL failed, or there is nothing to query (no warehouse, no Parquet files). */
  | 'ETL_QUERY_FAILED'
  /** Invariant broken inside eia-stream (a bug). */
  | 'ETL_INTERNAL';

/** Pipeline stage an error is tagged with. */
export type EtlStage =
  | 'config' | 'source' | 'parse' | 'validate' | 'normalize' | 'sink' | 'pipeline' | 'simulator' | 'report' | 'query';

export class EtlError extends Error {
  override readonly name = 'EtlError';
  readonly code: EtlErrorCode;
  readonly stage: EtlStage;
  /** Extra machine-readable facts (status, attempt, unit id...). Never the key. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: EtlErrorCode,
    stage: EtlStage,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.stage = stage;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

/** Narrowing helper. */
export function isEtlError(e: unknown, code?: EtlErrorCode): e is EtlError {
  return e instanceof EtlError && (code === undefined || e.code === code);
}

/** Shorthand for a config error (one line, names the flag and the allowed values). */
export function configError(message: string): EtlError {
  return new EtlError('ETL_CONFIG_INVALID', 'config', message);
}

/** An error as a user reads it: one line, `message [CODE]` for ours, never a stack, never the key. */
export function userMessage(e: unknown, secret?: string): string {
  const msg = isEtlError(e) ? `${e.message} [${e.code}]` : e instanceof Error ? e.message : String(e);
  return redactText(msg.replace(/\s*\n\s*/g, ' '), secret);
}
