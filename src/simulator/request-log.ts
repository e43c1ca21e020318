/**
 * The request log: one entry per request (in memory, and appended as JSON lines to a file when configured), and
 * `maxRequestsInWindow` for rate assertions. Entries never contain the key: only a sha256 prefix of it.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { FaultKind } from './options.js';
import { maxInAnyWindow, minSpan } from '../core/windows.js';

/** One served request. */
export interface RequestLogEntry {
  /** Arrival time, epoch ms (real clock). */
  t: number;
  /** sha256 prefix (16 hex chars) of the key, '' when none was sent; never the key. */
  keyHash: string;
  method: string;
  /** Path without the query string. */
  path: string;
  /** Route below /v2 without /data (e.g. `electricity/rto/region-data`), or null for an unknown path. */
  route: string | null;
  /** Parsed params WITHOUT api_key. */
  params: Record<string, unknown>;
  status: number;
  /** Data rows in the body (0 for errors and metadata). */
  rows: number;
  /** Body bytes sent (compressed size when gzipped; bytes actually written for truncation faults). */
  bytes: number;
  /** Arrival to last byte handed to the socket, ms. */
  latencyMs: number;
  /** Injected fault, 'throttled' for a budget refusal, or null. */
  fault: FaultKind | 'throttled' | null;
}

/** sha256 prefix of a key (16 hex chars), '' for no key. */
export function keyHash(key: string | undefined): string {
  return key ? createHash('sha256').update(key).digest('hex').slice(0, 16) : '';
}

/** In-memory log plus an optional JSONL file. */
export class RequestLog {
  readonly entries: RequestLogEntry[] = [];
  private readonly file: WriteStream | null;

  constructor(path: string | null) {
    this.file = path ? createWriteStream(path, { flags: 'a' }) : null;
  }

  /** Record one finished request. */
  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    this.file?.write(JSON.stringify(entry) + '\n');
  }

  /** Flush and close the file (idempotent). */
  async close(): Promise<void> {
    const f = this.file;
    if (!f || f.closed || f.writableEnded) return;
    await new Promise<void>((resolve) => f.end(resolve));
  }
}

/**
 * The largest number of entries whose arrival times fall within any window [t, t + windowMs) of the log.
 * E.g. `maxRequestsInWindow(log, 1000) <= 5` asserts the client never exceeded 5 requests in any second.
 */
export function maxRequestsInWindow(log: readonly RequestLogEntry[], windowMs: number): number {
  return maxInAnyWindow(log.map((e) => e.t), windowMs);
}

/**
 * The shortest time spanned by any `count` consecutive arrivals of the log, ms (Infinity when it holds fewer).
 * `minSpanOf(log, limit + 1) >= 1000` is the same check as `maxRequestsInWindow(log, 1000) <= limit`, as a
 * distance: how much of the client's margin arrival jitter left over.
 */
export function minSpanOf(log: readonly RequestLogEntry[], count: number): number {
  return minSpan(log.map((e) => e.t), count);
}
