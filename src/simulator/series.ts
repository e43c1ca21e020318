/**
 * The series universe: every (dim1, dim2) pair a route serves, in canonical order (facet codes ascending in route
 * facet order), with its life span in hours, its value model and its precomputed JSON row prefix.
 *
 * Hour index: h = (period stamp − 2019-01-01T00) / 1 h, so h = 0 is the first period of API v2 history.
 */
import { DATASET_INFO, FUEL_TYPES, HISTORY_START_MS, REGION_TYPES, type Dataset } from '../core/catalog.js';
import { HOUR_MS } from '../core/time.js';
import { strHash } from './hash.js';
import { perturbKey, respondentChange, seriesDecimals, type Perturbation, type RespondentChange } from './perturb.js';
import {
  GEN_ONLY_MEAN, INTERCHANGE_PAIRS, PROFILES, SUB_BAS, TAXONOMY_CHANGE, TAXONOMY_CHANGE_MS,
  lifeOf, respondentName, type RespondentProfile,
} from './profiles.js';

/** Value model of a series. */
export enum Kind {
  D, DF, NGR, TI, SUN, WND, WAT, NUC, GEO, DISP, OTH, BAT, PS, SNB, WNB, ZERO, XCH, SUB,
}

/** One series of one route. Immutable, built once per (dataset, taxonomy flag). */
export interface Series {
  /** Position in the dataset's canonical order. */
  readonly index: number;
  readonly dataset: Dataset;
  /** Facet codes in route facet order (`respondent,type` · `respondent,fueltype` · `fromba,toba` · `subba,parent`). */
  readonly dim1: string;
  readonly dim2: string;
  /** Names shown beside dim1 and dim2 (`respondent-name`, `type-name`, …). */
  readonly name1: string;
  readonly name2: string;
  /** The reporting respondent (respondent / fromba / parent): lag, exemptions, quirk keys. */
  readonly respondent: string;
  /** The series facet code (type / fueltype / toba / subba). */
  readonly code: string;
  readonly kind: Kind;
  /** Hash of (dataset, dim1, dim2): seeds every per-hour decision of the series. */
  readonly key: number;
  /** Hash of the respondent. */
  readonly respKey: number;
  /** First hour index (inclusive) and last (exclusive; Infinity = open) of the series' life. */
  readonly startHour: number;
  readonly endHour: number;
  /** `,"respondent":"PACW","respondent-name":…,"type-name":"Demand"`: everything between period and value. */
  readonly prefix: string;
  /** Profile of the respondent (interchange: fromba; sub-BA: parent). */
  readonly profile: RespondentProfile;
  /** Capacity / scale, MW (fuel capacity, pair flow, sub-BA share × 1). */
  readonly cap: number;
  /** Interchange: +1 for a→b as listed, −1 for the reverse direction. */
  readonly sign: number;
  /** Interchange: hash of the unordered pair (both directions share the flow). */
  readonly pairKey: number;
  /** True for constant-zero series (PACW NG): exempt from every value quirk. */
  readonly constant: boolean;
  /** Values carry 2 decimals instead of whole MWh (only in a perturbed universe, perturb.ts). */
  readonly decimals: boolean;
}

/** Hour index of the taxonomy change (2024-07-01T00). */
export const TAXONOMY_HOUR = (TAXONOMY_CHANGE_MS - HISTORY_START_MS) / HOUR_MS;

const FUEL_KIND: Record<string, Kind> = {
  SUN: Kind.SUN, WND: Kind.WND, WAT: Kind.WAT, NUC: Kind.NUC, GEO: Kind.GEO, COL: Kind.DISP, NG: Kind.DISP,
  OIL: Kind.DISP, OTH: Kind.OTH, BAT: Kind.BAT, PS: Kind.PS, SNB: Kind.SNB, WNB: Kind.WNB,
};
const REGION_KIND: Record<string, Kind> = { D: Kind.D, DF: Kind.DF, NG: Kind.NGR, TI: Kind.TI };

/** JSON-encode a string the way PHP's json_encode does (slashes escaped). */
export function phpJson(s: string): string {
  return JSON.stringify(s).replace(/\//g, '\\/');
}

interface Draft {
  dim1: string; name1: string; dim2: string; name2: string; respondent: string; code: string; kind: Kind;
  start: number; end: number; profile: RespondentProfile; cap: number; sign: number; pairKey: number;
  constant: boolean;
}

/** A respondent's life under the perturbation, clamped into its table life. */
function lifeUnder(perturb: Readonly<Perturbation> | null, p: RespondentProfile | undefined, code: string): { start: number; end: number } {
  const life = p ?? lifeOf(code);
  if (!perturb || !p) return { start: life.startHour, end: life.endHour };
  const c = respondentChange(perturb, code, listedFuels(p));
  return { start: Math.max(life.startHour, c.startHour), end: Math.min(life.endHour, c.endHour) };
}

/** Every fuel the table lists for a respondent at any time (the taxonomy change's additions included). */
function listedFuels(p: RespondentProfile): string[] {
  return [...new Set([...Object.keys(p.fuels), ...Object.keys(TAXONOMY_CHANGE[p.code]?.add ?? {})])].sort();
}

function build(dataset: Dataset, taxonomy: boolean, perturb: Readonly<Perturbation> | null): Series[] {
  const drafts: Draft[] = [];
  const base = { start: 0, end: Infinity, sign: 1, pairKey: 0, constant: false };
  if (dataset === 'region-data') {
    for (const p of PROFILES.values()) {
      const life = lifeUnder(perturb, p, p.code);
      for (const type of Object.keys(REGION_TYPES)) {
        if (p.meanDemand === 0 && (type === 'D' || type === 'DF')) continue;
        drafts.push({ ...base, dim1: p.code, name1: p.name, dim2: type, name2: REGION_TYPES[type], respondent: p.code,
          code: type, kind: REGION_KIND[type], profile: p, cap: p.meanDemand || GEN_ONLY_MEAN[p.code] || 0,
          start: life.start, end: life.end });
      }
    }
  } else if (dataset === 'fuel-type-data') {
    for (const p of PROFILES.values()) {
      const gen = p.meanDemand > 0 ? p.meanDemand * p.genRatio : GEN_ONLY_MEAN[p.code] ?? 0;
      const change = taxonomy ? TAXONOMY_CHANGE[p.code] : undefined;
      const fuels: [string, number, number, number][] = Object.entries(p.fuels).map(([f, s]) => [
        // Fuels live with their respondent (from EIA-930's first day: net generation sums them before 2019 too);
        // the Grid Monitor files show per-fuel columns only from 2018-07 (gridmon-csv.ts).
        f, s, -Infinity, change?.drop.includes(f) ? TAXONOMY_HOUR : Infinity]);
      if (change) for (const [f, s] of Object.entries(change.add)) fuels.push([f, s, TAXONOMY_HOUR, Infinity]);
      const life = lifeUnder(perturb, p, p.code);
      if (perturb) {
        // The perturbed universe: fuels the table does not list, listed fuels never served or stopping mid-range.
        const c = respondentChange(perturb, p.code, listedFuels(p));
        for (const d of c.drop) {
          for (const f of fuels) if (f[0] === d.fuel) f[3] = Math.min(f[3], d.fromHour);
        }
        for (const e of c.extra) fuels.push([e.fuel, e.share, e.startHour, Infinity]);
      }
      for (const [fuel, share, start, end] of fuels) {
        const constant = share === 0;
        drafts.push({ ...base, dim1: p.code, name1: p.name, dim2: fuel, name2: FUEL_TYPES[fuel] ?? fuel,
          respondent: p.code, code: fuel, kind: constant ? Kind.ZERO : FUEL_KIND[fuel] ?? Kind.DISP, profile: p,
          cap: share * gen, start: Math.max(start, life.start), end: Math.min(end, life.end), constant });
      }
    }
  } else if (dataset === 'interchange-data') {
    for (const [a, b, flow] of INTERCHANGE_PAIRS) {
      const pairKey = strHash(`${a}~${b}`);
      const la = lifeUnder(perturb, PROFILES.get(a), a), lb = lifeUnder(perturb, PROFILES.get(b), b);
      const span = { start: Math.max(la.start, lb.start), end: Math.min(la.end, lb.end) };
      for (const [from, to, sign] of [[a, b, 1], [b, a, -1]] as const) {
        const profile = PROFILES.get(from);
        if (!profile) continue; // a foreign partner is only ever the counterpart
        drafts.push({ ...base, ...span, dim1: from, name1: respondentName(from), dim2: to, name2: respondentName(to),
          respondent: from, code: to, kind: Kind.XCH, profile, cap: flow, sign, pairKey });
      }
    }
  } else {
    for (const [sub, name, parent, share] of SUB_BAS) {
      const profile = PROFILES.get(parent)!;
      const life = lifeUnder(perturb, profile, parent);
      drafts.push({ ...base, dim1: sub, name1: name, dim2: parent, name2: respondentName(parent), respondent: parent,
        code: sub, kind: Kind.SUB, profile, cap: share, start: life.start, end: life.end });
    }
  }
  // A perturbed universe serves (and lists in its facets) only series that exist at some hour.
  if (perturb) drafts.splice(0, drafts.length, ...drafts.filter((d) => d.start < d.end));
  drafts.sort((x, y) => (x.dim1 < y.dim1 ? -1 : x.dim1 > y.dim1 ? 1 : x.dim2 < y.dim2 ? -1 : x.dim2 > y.dim2 ? 1 : 0));
  const keys = DATASET_INFO[dataset].rowKeys;
  return drafts.map((d, index) => {
    const key = strHash(`${dataset}|${d.dim1}|${d.dim2}`);
    return {
    index, dataset, dim1: d.dim1, dim2: d.dim2, name1: d.name1, name2: d.name2, respondent: d.respondent, code: d.code, kind: d.kind,
    key, respKey: strHash(d.respondent),
    startHour: d.start, endHour: d.end, profile: d.profile, cap: d.cap, sign: d.sign, pairKey: d.pairKey,
    constant: d.constant, decimals: !d.constant && seriesDecimals(perturb, key),
    prefix: `,"${keys[1]}":${phpJson(d.dim1)},"${keys[2]}":${phpJson(d.name1)},"${keys[3]}":${phpJson(d.dim2)},"${keys[4]}":${phpJson(d.name2)}`,
    };
  });
}

const cache = new Map<string, readonly Series[]>();

/**
 * All series of a route in canonical order. `taxonomy` = whether the 2024-07 taxonomy change applies; `perturb` =
 * the perturbed universe (perturb.ts), null for the table's own.
 */
export function allSeries(dataset: Dataset, taxonomy = true, perturb: Readonly<Perturbation> | null = null): readonly Series[] {
  const k = `${dataset}|${taxonomy}|${perturbKey(perturb)}`;
  let s = cache.get(k);
  if (!s) {
    s = Object.freeze(build(dataset, taxonomy, perturb));
    cache.set(k, s);
  }
  return s;
}

const fuelCache = new Map<string, ReadonlyMap<string, readonly Series[]>>();

/** The fuel-type-data series of `respondent` (all years), for net generation = Σ fuels. */
export function fuelSeriesOf(respondent: string, taxonomy: boolean, perturb: Readonly<Perturbation> | null = null): readonly Series[] {
  const k = `${taxonomy}|${perturbKey(perturb)}`;
  let m = fuelCache.get(k);
  if (!m) {
    const byResp = new Map<string, Series[]>();
    for (const s of allSeries('fuel-type-data', taxonomy, perturb)) {
      let list = byResp.get(s.respondent);
      if (!list) byResp.set(s.respondent, (list = []));
      list.push(s);
    }
    fuelCache.set(k, (m = byResp));
  }
  return m.get(respondent) ?? [];
}

/**
 * The series codes (type / fueltype / toba / subba) the generator emits for `respondent` (respondent / fromba /
 * parent) in UTC `year`, ascending. Empty for unknown respondents and for years before 2019.
 */
export function expectedSeries(
  dataset: Dataset, respondent: string, year: number, taxonomy = true, perturb: Readonly<Perturbation> | null = null,
): string[] {
  const y0 = (Date.UTC(year, 0, 1) - HISTORY_START_MS) / HOUR_MS;
  const y1 = (Date.UTC(year + 1, 0, 1) - HISTORY_START_MS) / HOUR_MS;
  if (y1 <= 0) return [];
  const out = new Set<string>();
  for (const s of allSeries(dataset, taxonomy, perturb)) {
    if (s.respondent === respondent && s.startHour < y1 && s.endHour > y0) out.add(s.code);
  }
  return [...out].sort();
}

/** Filter a route's series by facet values (OR within a facet, AND across; absent or empty facet = no filter). */
export function selectSeries(
  dataset: Dataset,
  facets: Readonly<Record<string, readonly string[]>>,
  taxonomy = true,
  perturb: Readonly<Perturbation> | null = null,
): Series[] {
  const [f1, f2] = DATASET_INFO[dataset].facets;
  const v1 = facets[f1]?.length ? new Set(facets[f1]) : null;
  const v2 = facets[f2]?.length ? new Set(facets[f2]) : null;
  return allSeries(dataset, taxonomy, perturb).filter((s) => (!v1 || v1.has(s.dim1)) && (!v2 || v2.has(s.dim2)));
}

/**
 * Distinct values of one facet with names, ascending by code (for `/facet/{id}`). The table's universe lists every
 * series with the taxonomy change applied; a perturbed one lists what it serves (its extra fuels, not the fuels it
 * never serves).
 */
export function facetValues(dataset: Dataset, facet: string, perturb: Readonly<Perturbation> | null = null): { id: string; name: string }[] {
  const [f1] = DATASET_INFO[dataset].facets;
  const seen = new Map<string, string>();
  for (const s of allSeries(dataset, true, perturb)) {
    const [code, name] = facet === f1 ? [s.dim1, s.name1] : [s.dim2, s.name2];
    if (!seen.has(code)) seen.set(code, name);
  }
  return [...seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, name]) => ({ id, name }));
}

/**
 * What a perturbed universe changes for `respondent` (perturb.ts), against the fuels its table lists; null for a
 * code the profiles do not hold. For the bench's and the docs' description of a perturbed job.
 */
export function perturbationOf(perturb: Readonly<Perturbation> | null, respondent: string): RespondentChange | null {
  const p = PROFILES.get(respondent);
  return p ? respondentChange(perturb, respondent, listedFuels(p)) : null;
}
