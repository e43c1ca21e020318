/**
 * Who reports what: per-respondent demand scale, time zone, seasonality, fuel mix and active span, the interchange
 * pairs and the sub-BAs. Magnitudes are plausible MW (= MWh per hour), not real data. Names, spans and time zones
 * come from the respondent table (src/core/respondents.ts); the BAs beyond the original table are in
 * universe-profiles.ts.
 */
import { EIA930_START_MS, HISTORY_START_MS, RESPONDENTS } from '../core/catalog.js';
import { RESPONDENT_INFO, activeFromMs, retiredMs } from '../core/respondents.js';
import { HOUR_MS } from '../core/time.js';
import { BA_PROFILES, GEN_ONLY_PROFILES, MORE_INTERCHANGE_PAIRS, MORE_SUB_BAS } from './universe-profiles.js';

/** One respondent's generator parameters. */
export interface RespondentProfile {
  readonly code: string;
  readonly name: string;
  /** Mean demand, MW; 0 = generation-only BA (no D/DF rows). */
  readonly meanDemand: number;
  /** Standard UTC offset, hours (diurnal shape and local-hourly stamps; DST ignored). */
  readonly tz: number;
  /** Summer and winter peak amplitudes (fractions of mean demand). */
  readonly summer: number;
  readonly winter: number;
  /** Mean net generation / mean demand. */
  readonly genRatio: number;
  /** Fuel code → capacity as a fraction of mean generation (pre-2024-07 taxonomy). */
  readonly fuels: Readonly<Record<string, number>>;
  /** Hour indexes of the first period stamp (inclusive) and of the end (exclusive) of the respondent's reporting. */
  readonly startHour: number;
  readonly endHour: number;
}

/** Hour index of the first EIA-930 period, 2015-07-01T01 (negative: before API v2 history). */
export const EIA930_START_HOUR = (EIA930_START_MS - HISTORY_START_MS) / HOUR_MS + 1;

/**
 * The hour span a respondent reports, [start, end) in hour indexes: from the first hour-ending stamp of its
 * activation day (`T01`) to the stamp ending its last day (`<retiredOn>T00`), from EIA-930's first day on. Hours
 * before 0 (2019-01-01T00) exist only in the six-month Grid Monitor files (gridmon-csv.ts): the API and EBA.txt
 * start at hour 0. A code the respondent table does not know reports all along.
 */
export function lifeOf(code: string): { startHour: number; endHour: number } {
  const r = RESPONDENT_INFO[code];
  if (!r) return { startHour: EIA930_START_HOUR, endHour: Infinity };
  const from = activeFromMs(r), to = retiredMs(r);
  const hourAfter = (ms: number) => Math.max(EIA930_START_HOUR, (ms - HISTORY_START_MS) / HOUR_MS + 1);
  return {
    startHour: Number.isFinite(from) ? hourAfter(from) : EIA930_START_HOUR,
    endHour: Number.isFinite(to) ? hourAfter(to) : Infinity,
  };
}

/** From 2024-07-01: fuels added and dropped per respondent (docs/eia-api.md §15.7, item 11). PACW never changes. */
export const TAXONOMY_CHANGE: Readonly<Record<string, { add: Record<string, number>; drop: string[] }>> = {
  CISO: { add: { BAT: 0.15, SNB: 0.08 }, drop: [] },
  CAL: { add: { BAT: 0.15, SNB: 0.08 }, drop: [] },
  ERCO: { add: { BAT: 0.06, SNB: 0.03 }, drop: [] },
  TEX: { add: { BAT: 0.06, SNB: 0.03 }, drop: [] },
  ISNE: { add: { PS: 0.1 }, drop: ['WAT'] },
  NE: { add: { PS: 0.1 }, drop: ['WAT'] },
  SWPP: { add: { SNB: 0.03 }, drop: ['SUN'] },
  CENT: { add: { SNB: 0.03 }, drop: ['SUN'] },
  US48: { add: { BAT: 0.03, PS: 0.02, SNB: 0.01, WNB: 0.005 }, drop: [] },
  NYIS: { add: { BAT: 0.01 }, drop: [] },
};

/** First period (epoch ms) of the 2024 taxonomy. */
export const TAXONOMY_CHANGE_MS = Date.UTC(2024, 6, 1);

function mix(spec: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of spec.split(' ')) {
    const [k, v] = part.split(':');
    out[k] = Number(v);
  }
  return out;
}

const M = {
  ciso: 'COL:.002 NG:.4 NUC:.09 OIL:.001 OTH:.02 SUN:.6 WAT:.12 WND:.15 GEO:.04',
  erco: 'COL:.17 NG:.43 NUC:.1 OTH:.005 SUN:.12 WAT:.002 WND:.45',
  miso: 'COL:.35 NG:.3 NUC:.13 OIL:.001 OTH:.01 SUN:.03 WAT:.01 WND:.35',
  pjm: 'COL:.2 NG:.42 NUC:.33 OIL:.003 OTH:.01 SUN:.03 WAT:.01 WND:.08',
  nyis: 'COL:0 NG:.45 NUC:.2 OIL:.005 OTH:.01 SUN:.01 WAT:.2 WND:.07',
  isne: 'COL:.005 NG:.5 NUC:.25 OIL:.005 OTH:.05 SUN:.05 WAT:.07 WND:.08',
  swpp: 'COL:.4 NG:.25 NUC:.06 OIL:.001 OTH:.01 SUN:.02 WAT:.03 WND:.6',
};

// code: meanDemand MW, tz, summer, winter, genRatio, fuel mix
const TABLE: Record<string, [number, number, number, number, number, string]> = {
  US48: [460000, -6, 0.25, 0.12, 1.0, 'COL:.2 NG:.4 NUC:.19 OIL:.003 OTH:.01 SUN:.12 WAT:.07 WND:.25 GEO:.004'],
  CAL: [26000, -8, 0.3, 0.05, 0.75, M.ciso],
  CAR: [26000, -5, 0.25, 0.2, 1.05, 'COL:.25 NG:.35 NUC:.4 OIL:.002 OTH:.01 SUN:.1 WAT:.02'],
  CENT: [31000, -6, 0.25, 0.15, 1.1, M.swpp],
  FLA: [27000, -5, 0.3, 0.08, 1.0, 'COL:.1 NG:.7 NUC:.12 OIL:.005 OTH:.02 SUN:.12'],
  MIDA: [88000, -5, 0.25, 0.15, 1.05, M.pjm],
  MIDW: [75000, -6, 0.25, 0.15, 1.0, M.miso],
  NE: [13500, -5, 0.2, 0.12, 0.85, M.isne],
  NW: [45000, -8, 0.08, 0.18, 1.15, 'COL:.1 NG:.2 NUC:.03 OTH:.01 SUN:.05 WAT:.55 WND:.2'],
  NY: [17500, -5, 0.25, 0.1, 0.95, M.nyis],
  SE: [30000, -6, 0.25, 0.15, 1.02, 'COL:.3 NG:.4 NUC:.25 OIL:.002 OTH:.01 SUN:.04 WAT:.03'],
  SW: [19000, -7, 0.35, 0.05, 1.2, 'COL:.3 NG:.35 NUC:.2 OTH:.005 SUN:.15 WAT:.03 WND:.05'],
  TEN: [19000, -6, 0.2, 0.2, 1.0, 'COL:.3 NG:.2 NUC:.4 OTH:.005 SUN:.01 WAT:.12 WND:.002'],
  TEX: [46000, -6, 0.35, 0.1, 1.0, M.erco],
  PACW: [2500, -8, 0.06, 0.12, 0.32, 'NG:0 OTH:.06 SUN:.35 WAT:.55 WND:.45'],
  PACE: [5500, -7, 0.15, 0.1, 1.1, 'COL:.55 NG:.2 OTH:.01 SUN:.1 WAT:.02 WND:.3'],
  ERCO: [45000, -6, 0.35, 0.1, 1.0, M.erco],
  MISO: [75000, -5, 0.25, 0.15, 1.0, M.miso],
  CISO: [24000, -8, 0.3, 0.05, 0.75, M.ciso],
  PJM: [88000, -5, 0.25, 0.15, 1.05, M.pjm],
  NYIS: [17000, -5, 0.25, 0.1, 0.95, M.nyis],
  ISNE: [13000, -5, 0.2, 0.12, 0.85, M.isne],
  SWPP: [31000, -6, 0.25, 0.15, 1.1, M.swpp],
  BPAT: [6000, -8, 0.05, 0.2, 1.9, 'NG:.02 NUC:.1 OTH:.005 WAT:.85 WND:.25'],
  AVRN: [0, -8, 0, 0, 0, 'WND:1'],
};

/** Standard UTC offset (hours) of a respondent's clock, from its IANA zone in the respondent table. */
function standardOffset(code: string): number {
  const zone = RESPONDENT_INFO[code]?.timeZone ?? 'UTC';
  const jan = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(Date.UTC(2024, 0, 15)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(jan);
  return m ? (m[1] === '-' ? -1 : 1) * Number(m[2]) : 0;
}

for (const [code, [mean, summer, winter, genRatio, fuels]] of Object.entries(BA_PROFILES)) {
  TABLE[code] = [mean, standardOffset(code), summer, winter, genRatio, fuels];
}
for (const [code, [, fuels]] of Object.entries(GEN_ONLY_PROFILES)) TABLE[code] = [0, standardOffset(code), 0, 0, 0, fuels];

/** Generation-only BAs: their mean generation, MW (they have NG/TI but no D/DF rows). */
export const GEN_ONLY_MEAN: Readonly<Record<string, number>> = {
  AVRN: 800,
  ...Object.fromEntries(Object.entries(GEN_ONLY_PROFILES).map(([code, [mean]]) => [code, mean])),
};

/** Every respondent of region-data / fuel-type-data, keyed by code. */
export const PROFILES: ReadonlyMap<string, RespondentProfile> = new Map(
  Object.entries(TABLE).map(([code, [meanDemand, tz, summer, winter, genRatio, fuels]]) => [
    code,
    {
      code,
      name: RESPONDENTS[code]?.name ?? code,
      meanDemand,
      tz,
      summer,
      winter,
      genRatio,
      fuels: mix(fuels),
      ...lifeOf(code),
    },
  ]),
);

/** Respondent name for any code the simulator serves (BA, region, foreign partner, sub-BA parent). */
export function respondentName(code: string): string {
  return PROFILES.get(code)?.name ?? RESPONDENTS[code]?.name ?? code;
}

/**
 * Interchange pairs: [a, b, typical |flow| MW]. Both directions are served (b→a ≈ −(a→b)) unless b is a foreign
 * partner; a pair exists while both ends report.
 */
export const INTERCHANGE_PAIRS: readonly (readonly [string, string, number])[] = [
  ['PACW', 'BPAT', 800], ['PACW', 'PACE', 300], ['PACW', 'CISO', 600], ['BPAT', 'CISO', 2500],
  ['ERCO', 'SWPP', 400], ['MISO', 'PJM', 3000], ['MISO', 'SWPP', 2000], ['PJM', 'NYIS', 1500],
  ['NYIS', 'ISNE', 1200], ['AVRN', 'BPAT', 300], ['CAL', 'NW', 3000], ['CAL', 'SW', 2500],
  ['TEX', 'CENT', 500], ['MIDW', 'MIDA', 2500], ['NY', 'NE', 1200], ['NY', 'MIDA', 1500],
  ...MORE_INTERCHANGE_PAIRS,
];

/** Sub-BAs: [subba code (string, leading zeros kept), name, parent, share of parent demand]. */
export const SUB_BAS: readonly (readonly [string, string, string, number])[] = [
  ['PGAE', 'Pacific Gas and Electric', 'CISO', 0.43], ['SCE', 'Southern California Edison', 'CISO', 0.45],
  ['SDGE', 'San Diego Gas and Electric', 'CISO', 0.11], ['VEA', 'Valley Electric Association', 'CISO', 0.01],
  ['COAS', 'Coast', 'ERCO', 0.27], ['EAST', 'East', 'ERCO', 0.04], ['FWES', 'Far West', 'ERCO', 0.08],
  ['NCEN', 'North Central', 'ERCO', 0.32], ['NRTH', 'North', 'ERCO', 0.03], ['SCEN', 'South Central', 'ERCO', 0.14],
  ['SOUT', 'South', 'ERCO', 0.09], ['WEST', 'West', 'ERCO', 0.03],
  ['4001', 'Maine', 'ISNE', 0.09], ['4002', 'New Hampshire', 'ISNE', 0.09], ['4003', 'Vermont', 'ISNE', 0.04],
  ['4004', 'Connecticut', 'ISNE', 0.24], ['4005', 'Rhode Island', 'ISNE', 0.06], ['4006', 'Southeast Mass.', 'ISNE', 0.12],
  ['4007', 'Western/Central Mass.', 'ISNE', 0.12], ['4008', 'Northeast Mass.', 'ISNE', 0.24],
  ['0001', 'Zone 1', 'MISO', 0.1], ['0004', 'Zone 4', 'MISO', 0.1], ['0006', 'Zone 6', 'MISO', 0.15],
  ['0027', 'Zones 2 and 7', 'MISO', 0.2], ['0035', 'Zones 3 and 5', 'MISO', 0.15], ['8910', 'Zones 8, 9 and 10', 'MISO', 0.3],
  ['ZONA', 'West', 'NYIS', 0.09], ['ZONB', 'Genesee', 'NYIS', 0.06], ['ZONC', 'Central', 'NYIS', 0.09],
  ['ZOND', 'North', 'NYIS', 0.03], ['ZONE', 'Mohawk Valley', 'NYIS', 0.05], ['ZONF', 'Capital', 'NYIS', 0.07],
  ['ZONG', 'Hudson Valley', 'NYIS', 0.06], ['ZONH', 'Millwood', 'NYIS', 0.02], ['ZONI', 'Dunwoodie', 'NYIS', 0.04],
  ['ZONJ', 'New York City', 'NYIS', 0.32], ['ZONK', 'Long Island', 'NYIS', 0.17],
  ['AE', 'Atlantic Electric zone', 'PJM', 0.03], ['AEP', 'American Electric Power zone', 'PJM', 0.15],
  ['DOM', 'Dominion Virginia Power zone', 'PJM', 0.2], ['PE', 'PECO Energy zone', 'PJM', 0.1],
  ['PEP', 'Potomac Electric Power zone', 'PJM', 0.07], ['PS', 'Public Service Electric and Gas zone', 'PJM', 0.11],
  ['CSWS', 'AEPW American Electric Power West', 'SWPP', 0.12], ['EDE', 'Empire District Electric Company', 'SWPP', 0.03],
  ['KACY', 'Kansas City Board of Public Utilities', 'SWPP', 0.02], ['WAUE', 'Western Area Power Upper Great Plains East', 'SWPP', 0.08],
  ...MORE_SUB_BAS,
];
