/**
 * The names and spans of EIA's six-month Grid Monitor files (docs/eia-bulk.md §2.1), shared by the reader
 * (`sources/bulk/`) and the simulator that serves them. Pure.
 *
 *   EIA930_{BALANCE,INTERCHANGE,SUBREGION}_<YYYY>_<Jan_Jun|Jul_Dec>.csv
 *
 * BALANCE and INTERCHANGE start with 2015 Jul_Dec, SUBREGION with 2018 Jul_Dec. A file holds the half-year of each
 * BA's **local** dates, so in UTC it reaches up to a day past its half on either side and neighbouring files share
 * the hours at the seam.
 */
import { EIA930_START_MS } from './catalog.js';

export const SIX_MONTH_KINDS = ['BALANCE', 'INTERCHANGE', 'SUBREGION'] as const;
export type SixMonthKind = (typeof SIX_MONTH_KINDS)[number];
export type Half = 'Jan_Jun' | 'Jul_Dec';

/** One file: its kind, half-year and the UTC midnights that bound its half `[fromMs, toMs)`. */
export interface SixMonthFile {
  readonly kind: SixMonthKind;
  readonly year: number;
  readonly half: Half;
  readonly name: string;
  readonly fromMs: number;
  readonly toMs: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** How far a file's UTC hours reach past its half's UTC midnights: a local day (the widest offset is 10 h). */
export const SEAM_MARGIN_MS = DAY_MS;

/** First half-year of each kind. */
const FIRST: Readonly<Record<SixMonthKind, { year: number; half: Half }>> = {
  BALANCE: { year: 2015, half: 'Jul_Dec' },
  INTERCHANGE: { year: 2015, half: 'Jul_Dec' },
  SUBREGION: { year: 2018, half: 'Jul_Dec' },
};

export function sixMonthFile(kind: SixMonthKind, year: number, half: Half): SixMonthFile {
  const m = half === 'Jan_Jun' ? 0 : 6;
  return {
    kind, year, half,
    name: `EIA930_${kind}_${year}_${half}.csv`,
    fromMs: Date.UTC(year, m, 1),
    toMs: half === 'Jan_Jun' ? Date.UTC(year, 6, 1) : Date.UTC(year + 1, 0, 1),
  };
}

/** The file a name stands for, or undefined for any other name. */
export function parseSixMonthFileName(name: string): SixMonthFile | undefined {
  const m = /^EIA930_(BALANCE|INTERCHANGE|SUBREGION)_(\d{4})_(Jan_Jun|Jul_Dec)\.csv$/.exec(name);
  return m ? sixMonthFile(m[1] as SixMonthKind, Number(m[2]), m[3] as Half) : undefined;
}

/** The half-year holding `ms` (UTC). */
function halfOf(ms: number): { year: number; half: Half } {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), half: d.getUTCMonth() < 6 ? 'Jan_Jun' : 'Jul_Dec' };
}

function next(h: { year: number; half: Half }): { year: number; half: Half } {
  return h.half === 'Jan_Jun' ? { year: h.year, half: 'Jul_Dec' } : { year: h.year + 1, half: 'Jan_Jun' };
}

/**
 * The files of `kind` whose hours may fall in `[startMs, endMs)`, oldest first, from the kind's first half-year: a
 * file's first stamp is after its half's first midnight (hour-ending), its last at most the seam margin after its
 * half's end, so a range starting at a seam also reads the file before it, which holds the seam's first copy.
 * `lastMs` (optional) caps the list at the half holding it.
 */
export function sixMonthFilesFor(kind: SixMonthKind, startMs: number, endMs: number, lastMs = Infinity): SixMonthFile[] {
  const out: SixMonthFile[] = [];
  const first = FIRST[kind];
  let h = halfOf(Math.max(startMs - SEAM_MARGIN_MS, EIA930_START_MS));
  const firstFile = sixMonthFile(kind, first.year, first.half);
  if (sixMonthFile(kind, h.year, h.half).fromMs < firstFile.fromMs) h = first;
  const stop = Math.min(endMs, lastMs === Infinity ? Infinity : sixMonthFile(kind, halfOf(lastMs).year, halfOf(lastMs).half).toMs);
  for (let f = sixMonthFile(kind, h.year, h.half); f.fromMs < stop; h = next(h), f = sixMonthFile(kind, h.year, h.half)) {
    if (f.toMs + SEAM_MARGIN_MS > startMs && f.fromMs + HOUR_MS < endMs) out.push(f);
  }
  return out;
}

/** Every file of `kind` published by `lastMs` (the half holding it is the current, growing file). */
export function publishedSixMonthFiles(kind: SixMonthKind, lastMs: number): SixMonthFile[] {
  return sixMonthFilesFor(kind, EIA930_START_MS, lastMs + 1, lastMs);
}
