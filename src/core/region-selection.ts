/**
 * `--regions` against a list of known respondent codes: the shorthands `ALL` and `REGIONS`, the one-line error for an
 * unknown code (with close matches), and the expansion of the shorthands. Pure; the list comes from the API's
 * respondent facet (with a key) or from the offline respondent table (src/core/respondents.ts).
 */
import { distance } from 'fastest-levenshtein';
import { configError } from './errors.js';
import { RESPONDENT_INFO, activeIn, type RespondentInfo } from './respondents.js';

/** `ALL`: every BA with data in the requested range and types. `REGIONS`: the 14 regions (13 and US48). */
export const REGION_SHORTHANDS = ['ALL', 'REGIONS'] as const;

/** One respondent code as a facet lists it. */
export interface KnownRespondent {
  readonly code: string;
  readonly name: string;
}

/** What the requested types need a BA to report (`--types` names, see pipelines/selections.ts). */
const DEMAND_TYPES = new Set(['demand', 'forecast']);

/** Offline list: every BA and region of the respondent table (foreign partners are never `respondent` values). */
export function offlineRespondents(): KnownRespondent[] {
  return Object.values(RESPONDENT_INFO)
    .filter((r) => r.kind !== 'foreign')
    .map((r) => ({ code: r.code, name: r.name }));
}

/**
 * Throw the one-line `--regions` error for the first requested code that is neither a shorthand nor in `known`,
 * naming close matches and the allowed values.
 */
export function checkRegionCodes(requested: readonly string[], known: readonly KnownRespondent[]): void {
  const codes = known.map((k) => k.code).sort();
  const set = new Set(codes);
  for (const r of requested) {
    if ((REGION_SHORTHANDS as readonly string[]).includes(r) || set.has(r)) continue;
    const close = suggestions(r, codes);
    const hint = close.length ? ` (did you mean ${close.join(' or ')}?)` : '';
    throw configError(`--regions: unknown respondent '${r}'${hint}; known: ${[...REGION_SHORTHANDS, ...codes].join(', ')}`);
  }
}

/**
 * Replace the shorthands by codes: `REGIONS` → the regions in `known`; `ALL` → the BAs in `known` with data in
 * [startMs, endMs) for at least one requested type (a generation-only BA has no demand or forecast rows; only BAs
 * with subregions have subregion rows; a retired or not yet active BA has none). A code the offline table does
 * not know (new at EIA) is kept by `ALL`: the API listed it. Codes keep the user's order; a shorthand adds its
 * codes in code order; no duplicates.
 */
export function expandRegions(
  requested: readonly string[],
  known: readonly KnownRespondent[],
  types: readonly string[],
  startMs: number,
  endMs: number,
): string[] {
  const out = new Set<string>();
  const sorted = [...known].sort((x, y) => (x.code < y.code ? -1 : x.code > y.code ? 1 : 0));
  for (const r of requested) {
    if (r === 'REGIONS') {
      for (const k of sorted) if (RESPONDENT_INFO[k.code]?.kind === 'region') out.add(k.code);
    } else if (r === 'ALL') {
      for (const k of sorted) {
        const info = RESPONDENT_INFO[k.code];
        if (!info) out.add(k.code);
        else if (info.kind === 'ba' && activeIn(info, startMs, endMs) && reportsAny(info, types)) out.add(k.code);
      }
    } else {
      out.add(r);
    }
  }
  return [...out];
}

function reportsAny(info: RespondentInfo, types: readonly string[]): boolean {
  return types.some((t) => (t === 'subregion' ? info.subregionDemand : DEMAND_TYPES.has(t) ? !info.generationOnly : true));
}

/**
 * The nearest known codes (at most three), counting a prefix either way as distance 1 (`ERCOT` → `ERCO`) and
 * otherwise the edit distance; nothing farther than 2 edits.
 */
function suggestions(code: string, known: readonly string[]): string[] {
  const scored = known.map((k) => ({ k, d: k.startsWith(code) || code.startsWith(k) ? Math.min(1, distance(code, k)) : distance(code, k) }));
  const best = Math.min(...scored.map((x) => x.d));
  return best > 2 ? [] : scored.filter((x) => x.d === best).map((x) => x.k).sort().slice(0, 3);
}
