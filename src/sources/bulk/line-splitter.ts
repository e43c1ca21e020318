/**
 * Bytes of `EBA.txt` → the lines a job keeps, deciding on each line from its head before the rest of it is even
 * joined: a skipped line's bytes are dropped as they stream by (most of a 4 GB file is skipped by a small job), a
 * kept line is joined and decoded once. A line can be several MB (a series since 2019), so no line is assumed to fit
 * a chunk.
 */
import { EtlError } from '../../core/errors.js';

const NL = 0x0a;
/** A line longer than this is not EIA's (the longest real ones are a few MB): the file is corrupt. */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

/** Counts of a split, for the run's log. */
export interface SplitCounts {
  lines: number;
  kept: number;
  bytes: number;
}

/**
 * Split `chunks` into lines; `decide(head)` sees a line's first `headBytes` bytes (or the whole line when shorter)
 * as text and returns true to keep it. Yields the kept lines as strings (without the newline); empty lines are
 * dropped. `counts` is updated as it goes.
 */
export async function* keptLines(
  chunks: AsyncIterable<Buffer>,
  headBytes: number,
  decide: (head: string) => boolean,
  counts: SplitCounts = { lines: 0, kept: 0, bytes: 0 },
): AsyncGenerator<string> {
  let parts: Buffer[] = [];
  let size = 0;
  /** undefined: not decided yet; true: keeping; false: dropping to the end of the line. */
  let keep: boolean | undefined;
  const decideNow = () => {
    const head = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    keep = decide(head.toString('utf8', 0, Math.min(headBytes, head.length)));
    if (!keep) {
      parts = [];
      size = 0;
    } else if (parts.length > 1) {
      parts = [head];
    }
  };
  /** Count the line that just ended, decide on it if its head was short, and return its text when kept. */
  const endLine = (): string | null => {
    counts.lines++;
    if (keep === undefined) decideNow();
    const line = keep && size > 0 ? (parts.length === 1 ? parts[0]! : Buffer.concat(parts, size)).toString('utf8') : null;
    if (line !== null) counts.kept++;
    parts = [];
    size = 0;
    keep = undefined;
    return line;
  };
  for await (const chunk of chunks) {
    counts.bytes += chunk.length;
    let pos = 0;
    while (pos <= chunk.length) {
      const nl = chunk.indexOf(NL, pos);
      const end = nl < 0 ? chunk.length : nl;
      if (keep !== false && end > pos) {
        parts.push(chunk.subarray(pos, end));
        size += end - pos;
        if (size > MAX_LINE_BYTES) {
          throw new EtlError('ETL_BULK_INVALID', 'source', `EBA.txt: a line longer than ${MAX_LINE_BYTES / 1048576} MB; the file is not EIA's or is corrupt`);
        }
        if (keep === undefined && size >= headBytes) decideNow();
      }
      if (nl < 0) break;
      // End of a line (an empty one is no line).
      if (size > 0 || keep === false) {
        const line = endLine();
        if (line !== null) yield line;
      }
      pos = nl + 1;
    }
  }
  if (size > 0) {
    const line = endLine();
    if (line !== null) yield line;
  }
}
