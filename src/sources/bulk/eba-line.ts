/**
 * One line of `EBA.txt`: pick its `series_id` without parsing the line, then — for the lines a job wants — parse
 * it into the series' points. A series line holds a whole series (a PJM demand line since 2019 is ~2.7 MB), so the
 * selection reads only the line's head and the job parses only what it keeps (docs/eia-bulk.md §1.2).
 */
import { ebaStampParser, parseEbaSeriesId, parseEbaValue, type EbaSeriesKey } from './eba-series.js';

/** How far into a line `series_id` may start: it is the first key of every series line EIA writes. */
const HEAD_CHARS = 512;
const SERIES_ID = /"series_id"\s*:\s*"([^"\\]{1,200})"/;

/** The `series_id` of a line read from its head, or undefined for category lines and anything else. */
export function peekSeriesId(line: string): string | undefined {
  return SERIES_ID.exec(line.length > HEAD_CHARS ? line.slice(0, HEAD_CHARS) : line)?.[1];
}

/** Which of a series' lines a job reads: the UTC (`H`) line, or its local-time (`HL`) twin. */
export type EbaClock = 'utc' | 'local';

/** One hour of a bulk series. `value` null = EIA published the hour as missing; `raw` is the point as received. */
export interface EbaPoint {
  readonly period: number;
  readonly value: number | null;
}

/** A point the parser could not read, kept for quarantine with its index in `data`. */
export interface EbaBadPoint {
  readonly index: number;
  readonly raw: string;
  readonly reason: 'BAD_PERIOD' | 'BAD_VALUE';
}

export interface EbaSeries {
  readonly id: string;
  readonly key: Extract<EbaSeriesKey, { kind: 'series' }>;
  readonly name: string;
  readonly units: string;
  /** Oldest first (the file lists newest first). */
  readonly points: EbaPoint[];
  readonly bad: EbaBadPoint[];
}

/**
 * Parses a series line whose id maps to an API route on the asked clock (`H` lines for `utc`, their `HL` twins for
 * `local`, stamps read back to UTC) and keeps the points inside `[startMs, endMs)`. Returns undefined for a line
 * that is not such a series. Throws on a line that is not JSON.
 */
export function parseEbaLine(line: string, startMs: number, endMs: number, clock: EbaClock = 'utc'): EbaSeries | undefined {
  const obj = JSON.parse(line) as Record<string, unknown>;
  const id = obj.series_id;
  if (typeof id !== 'string') return undefined;
  const key = parseEbaSeriesId(id);
  if (key.kind !== 'series' || key.local !== (clock === 'local')) return undefined;
  const stamp = ebaStampParser(key.local);
  const data = Array.isArray(obj.data) ? (obj.data as unknown[]) : [];
  const points: EbaPoint[] = [];
  const bad: EbaBadPoint[] = [];
  for (let i = data.length - 1; i >= 0; i--) {
    const pt = data[i];
    const period = Array.isArray(pt) && typeof pt[0] === 'string' ? stamp(pt[0]) : undefined;
    if (period === undefined) {
      bad.push({ index: i, raw: JSON.stringify(pt), reason: 'BAD_PERIOD' });
      continue;
    }
    if (period < startMs || period >= endMs) continue;
    const value = parseEbaValue((pt as unknown[])[1]);
    if (value === undefined) bad.push({ index: i, raw: JSON.stringify(pt), reason: 'BAD_VALUE' });
    else points.push({ period, value });
  }
  return {
    id,
    key,
    name: typeof obj.name === 'string' ? obj.name : id,
    units: typeof obj.units === 'string' ? obj.units : '',
    points,
    bad,
  };
}
