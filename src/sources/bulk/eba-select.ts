/**
 * Which lines of `EBA.txt` a job wants, decided from a line's head (its first bytes) before the line is parsed:
 * the `series_id` must map to a series of the job's selection (datasets × respondents × series codes) on the job's
 * clock (the UTC `H` lines by default, their local-time `HL` twins when asked for; the CO2 series only when the job
 * selects their bulk-only dataset), and
 * the series' `start`/`end`, when the head carries them, must overlap the job's `[startMs, endMs)`. Pure.
 */
import { DATASET_INFO, isApiDataset, type RecordDataset } from '../../core/catalog.js';
import { peekSeriesId, type EbaClock } from './eba-line.js';
import { ebaStampParser, parseEbaSeriesId, type EbaSeriesKey } from './eba-series.js';

/** One dataset's part of a job: the respondent codes, and the series codes (null = every series of the dataset). */
export interface EbaRouteSelection {
  readonly respondents: ReadonlySet<string>;
  readonly series: ReadonlySet<string> | null;
}

/** What a job selects, per dataset (API routes and bulk-only datasets), with its hour range. */
export interface EbaSelection {
  readonly routes: ReadonlyMap<RecordDataset, EbaRouteSelection>;
  readonly startMs: number;
  readonly endMs: number;
  /** Which line of each series is read (default `utc`); the other clock's lines are skipped. */
  readonly clock?: EbaClock;
}

/** Why a line is not read (counted in the run's log; `co2`: a CO2 series of a job that did not ask for them). */
export type EbaSkipReason = 'category' | 'local-time' | 'utc-time' | 'co2' | 'unrecognised' | 'not-selected' | 'out-of-range';

/**
 * The job's selection from the API queries it would send (`{dataset, facets}`, as `selectionsFor` builds them):
 * the route's respondent facet gives the respondents, its series facet (when present) the series codes.
 */
export function ebaSelectionOf(
  queries: readonly { dataset: RecordDataset; facets: Readonly<Record<string, readonly string[]>> }[],
  startMs: number,
  endMs: number,
  clock: EbaClock = 'utc',
): EbaSelection {
  const routes = new Map<RecordDataset, EbaRouteSelection>();
  for (const q of queries) {
    const info = DATASET_INFO[q.dataset];
    const series = q.facets[info.seriesFacet];
    routes.set(q.dataset, {
      respondents: new Set(q.facets[info.respondentFacet] ?? []),
      series: series && series.length ? new Set(series) : null,
    });
  }
  return { routes, startMs, endMs, clock };
}

/** Whether a series key is in the selection (its hours aside). */
export function selectsSeries(sel: EbaSelection, key: EbaSeriesKey): key is Extract<EbaSeriesKey, { kind: 'series' }> {
  if (key.kind !== 'series' || key.local !== (sel.clock === 'local')) return false;
  const route = sel.routes.get(key.dataset);
  return !!route && route.respondents.has(key.respondent) && (!route.series || route.series.has(key.series));
}

/** How far into a line `start` and `end` may be read: they follow `series_id`, `name`, `units`, `f`, `description`. */
export const SPAN_HEAD_CHARS = 1024;
const START = /"start"\s*:\s*"(\d{8}T\d{2}(?:Z|[+-]\d{2})?)"/;
const END = /"end"\s*:\s*"(\d{8}T\d{2}(?:Z|[+-]\d{2})?)"/;

/**
 * The decision on a line from its head (at least its first `SPAN_HEAD_CHARS` characters, or the whole line when
 * shorter): undefined = read it, else why not.
 */
export function skipReason(sel: EbaSelection, head: string): EbaSkipReason | undefined {
  const id = peekSeriesId(head);
  if (id === undefined) return 'category';
  const key = parseEbaSeriesId(id);
  if (key.kind === 'other') return key.reason;
  if (!isApiDataset(key.dataset) && !sel.routes.has(key.dataset)) return 'co2';
  // The selection first, so the other clock's count is of selected series only (the run names those without a twin).
  if (!selectsSeries(sel, { ...key, local: sel.clock === 'local' })) return 'not-selected';
  if (key.local !== (sel.clock === 'local')) return key.local ? 'local-time' : 'utc-time';
  const stamp = ebaStampParser(key.local);
  const start = START.exec(head)?.[1];
  const end = END.exec(head)?.[1];
  const s = start === undefined ? undefined : stamp(start);
  const e = end === undefined ? undefined : stamp(end);
  if ((e !== undefined && e < sel.startMs) || (s !== undefined && s >= sel.endMs)) return 'out-of-range';
  return undefined;
}

const UPDATED = /"last_updated"\s*:\s*"(\d{2})-([A-Z]{3})-(\d{2}) (\d{2})\.(\d{2})\.(\d{2}) (AM|PM)"/;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/**
 * The file's build time from a line's `last_updated` (EIA's Oracle-style `22-SEP-26 03.15.33 PM`, the same on
 * every line of a build), floored to the hour, read as UTC: EIA writes it on US Eastern time, so it is up to 5 h
 * early, and the caller takes the later of it and the series' newest hour.
 */
export function peekBuildMs(head: string): number | undefined {
  const m = UPDATED.exec(head);
  if (!m) return undefined;
  const mon = MONTHS.indexOf(m[2]!);
  if (mon < 0) return undefined;
  const h12 = Number(m[4]) % 12;
  return Date.UTC(2000 + Number(m[3]), mon, Number(m[1]), m[7] === 'PM' ? h12 + 12 : h12);
}
