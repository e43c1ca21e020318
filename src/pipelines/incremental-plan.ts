/**
 * `incremental` planning: each series from its own latest stored hour minus the lookback. Pure.
 *
 * A series is a (respondent, type) pair where the query names its types (region-data), and a respondent where the
 * route's series are not filtered (fuel-type-data, interchange-data, region-sub-ba-data: every fuel, neighbour or
 * subregion is fetched, so a new one is never missed). A respondent's series of such a route are published
 * together; its start is its newest series' latest hour, so a discontinued fuel does not drag it back.
 *
 * Series whose starts lie within `GROUP_SLACK_HOURS` of each other share one query from the earliest of them. The
 * extra rows that costs (≤ 168 per series) fill less than a page, while a separate query costs at least one more
 * request (its last, partial page); series further apart get their own query, so one discontinued series never
 * widens another's window.
 */
import type { Dataset, Selection } from '../core/catalog.js';
import { HOUR_MS, floorHour } from '../core/time.js';

/** Series starting at most this many hours after a group's first series join its query. */
export const GROUP_SLACK_HOURS = 168;

export interface IncrementalInput {
  readonly selections: readonly Selection[];
  /** Latest stored period (epoch ms) per dataset and `respondent|series`. */
  readonly latest: ReadonlyMap<Dataset, ReadonlyMap<string, number>>;
  /** Exclusive end of the run (the frontier + 1 h). */
  readonly endMs: number;
  /** Latest published hour per route: every series also re-reads the revision horizon behind it. */
  readonly frontiers: ReadonlyMap<Dataset, number>;
  readonly lookbackHours: number;
  readonly horizonHours: number;
  /** No window starts before this (the range's start). */
  readonly floorMs: number;
}

/** One query of the run: a selection and its own start. */
export interface IncrementalGroup {
  readonly startMs: number;
  readonly selection: Selection;
  /** Series of the group without stored data (they get only the lookback). */
  readonly unseen: readonly string[];
}

interface Entry {
  respondent: string;
  series: string | null;
  startMs: number;
  seen: boolean;
}

/** Plan the groups of an incremental run, in (dataset, start) order. */
export function planIncrementalGroups(input: IncrementalInput): IncrementalGroup[] {
  const out: IncrementalGroup[] = [];
  for (const sel of input.selections) {
    const [respKey, seriesKey] = Object.keys(sel.facets);
    const respondents = sel.facets[respKey];
    const types = seriesKey ? sel.facets[seriesKey] : null;
    const latest = input.latest.get(sel.dataset) ?? new Map<string, number>();
    const frontier = input.frontiers.get(sel.dataset);
    const revisionStart = frontier === undefined ? Infinity : frontier + HOUR_MS - input.horizonHours * HOUR_MS;
    const startOf = (l: number | undefined) => {
      const fromLatest = l === undefined ? input.endMs - input.lookbackHours * HOUR_MS : floorHour(l - input.lookbackHours * HOUR_MS);
      return Math.max(input.floorMs, Math.min(fromLatest, revisionStart));
    };
    const entries: Entry[] = [];
    for (const r of respondents) {
      if (types) {
        for (const t of types) {
          const l = latest.get(`${r}|${t}`);
          entries.push({ respondent: r, series: t, startMs: startOf(l), seen: l !== undefined });
        }
      } else {
        let newest: number | undefined;
        for (const [k, v] of latest) if (k.slice(0, k.indexOf('|')) === r && (newest === undefined || v > newest)) newest = v;
        entries.push({ respondent: r, series: null, startMs: startOf(newest), seen: newest !== undefined });
      }
    }
    entries.sort((a, b) => a.startMs - b.startMs || a.respondent.localeCompare(b.respondent));
    for (let i = 0; i < entries.length; ) {
      const first = entries[i].startMs;
      let j = i;
      while (j < entries.length && entries[j].startMs - first <= GROUP_SLACK_HOURS * HOUR_MS) j++;
      const group = entries.slice(i, j);
      i = j;
      if (first >= input.endMs) continue;
      const unseen = group.filter((e) => !e.seen).map((e) => (e.series ? `${e.respondent}|${e.series}` : e.respondent));
      for (const selection of groupSelections(sel.dataset, respKey, seriesKey, group)) out.push({ startMs: first, selection, unseen });
    }
  }
  return out;
}

/** The group's series as queries: respondents with the same set of types share one (facets are a cross product). */
function groupSelections(dataset: Dataset, respKey: string, seriesKey: string | undefined, group: readonly Entry[]): Selection[] {
  if (!seriesKey) return [{ dataset, facets: { [respKey]: group.map((e) => e.respondent).sort() } }];
  const typesOf = new Map<string, string[]>();
  for (const e of group) typesOf.set(e.respondent, [...(typesOf.get(e.respondent) ?? []), e.series!]);
  const byTypes = new Map<string, string[]>();
  for (const [r, ts] of typesOf) {
    const k = ts.sort().join(',');
    byTypes.set(k, [...(byTypes.get(k) ?? []), r]);
  }
  return [...byTypes].map(([k, rs]) => ({ dataset, facets: { [respKey]: rs.sort(), [seriesKey]: k.split(',') } }));
}

/**
 * Open ledger units this run re-reads completely: every series of theirs is in the run's selections, and every
 * series starts at or before the revision horizon behind the frontier, so after the run nothing of them can
 * still change that the run's own (open) units do not cover.
 */
export function supersededOpenUnits(
  open: readonly { id: string; dataset: string; facets: Readonly<Record<string, readonly string[]>> }[],
  selections: readonly Selection[],
): string[] {
  return open
    .filter((u) =>
      selections.some((s) => {
        if (s.dataset !== u.dataset) return false;
        const keys = Object.keys(s.facets);
        if (Object.keys(u.facets).some((k) => !keys.includes(k))) return false;
        return keys.every((k) => (u.facets[k] ?? []).length > 0 && u.facets[k].every((c) => s.facets[k].includes(c)));
      }),
    )
    .map((u) => u.id);
}
