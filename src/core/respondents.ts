/**
 * Every EIA-930 respondent: the U.S. balancing authorities, the 14 regions (13 regions and US48) and the foreign
 * interchange partners, with the facts the pipeline needs offline: name, region, the IANA time zone of EIA's clock
 * label, whether the BA is generation-only (no demand rows), whether it reports sub-BA demand, and when it started
 * or stopped reporting. docs/respondents.md says where each fact comes from and how sure it is.
 *
 * This table is the offline fallback and the simulator's universe. With a key, the API's own respondent facet list
 * is the authority for which codes exist.
 */

/** What a respondent code stands for. `foreign` codes appear only as interchange counterparts. */
export type RespondentKind = 'ba' | 'region' | 'foreign';

export interface RespondentInfo {
  readonly code: string;
  readonly name: string;
  readonly kind: RespondentKind;
  /** EIA region of a BA (`NW`, `CAL`, …); absent for regions and foreign partners. */
  readonly region?: string;
  /** IANA zone of the clock EIA uses for the respondent's local-time fields (for BAs, EIA's own label). */
  readonly timeZone: string;
  /** Reports net generation and interchange but no demand and no demand forecast. */
  readonly generationOnly: boolean;
  /** Has `region-sub-ba-data` rows. */
  readonly subregionDemand: boolean;
  /** First day with data when it started after EIA-930 began (2015-07-01), `YYYY-MM-DD`. */
  readonly activeFrom?: string;
  /** Retirement day (no data from this day on), `YYYY-MM-DD`. */
  readonly retiredOn?: string;
  /** False where the sources disagree or are thin (region, zone or flags inferred). */
  readonly confident: boolean;
}

const ba = (
  code: string, name: string, region: string, timeZone: string, generationOnly: boolean, subregionDemand: boolean,
  activeFrom?: string, retiredOn?: string, confident = true,
): RespondentInfo => ({ code, name, kind: 'ba', region, timeZone, generationOnly, subregionDemand, activeFrom, retiredOn, confident });

const region = (code: string, name: string, timeZone: string): RespondentInfo =>
  ({ code, name, kind: 'region', timeZone, generationOnly: false, subregionDemand: false, confident: true });

const foreign = (code: string, name: string, timeZone: string): RespondentInfo =>
  ({ code, name, kind: 'foreign', timeZone, generationOnly: false, subregionDemand: false, confident: false });

const ALL: readonly RespondentInfo[] = [
  region('US48', 'United States Lower 48', 'America/New_York'),
  region('CAL', 'California', 'America/Los_Angeles'),
  region('CAR', 'Carolinas', 'America/New_York'),
  region('CENT', 'Central', 'America/Chicago'),
  region('FLA', 'Florida', 'America/New_York'),
  region('MIDA', 'Mid-Atlantic', 'America/New_York'),
  region('MIDW', 'Midwest', 'America/Chicago'),
  region('NE', 'New England', 'America/New_York'),
  region('NW', 'Northwest', 'America/Los_Angeles'),
  region('NY', 'New York', 'America/New_York'),
  region('SE', 'Southeast', 'America/Chicago'),
  region('SW', 'Southwest', 'America/Phoenix'),
  region('TEN', 'Tennessee', 'America/Chicago'),
  region('TEX', 'Texas', 'America/Chicago'),
  ba('AEC', 'PowerSouth Energy Cooperative', 'SE', 'America/Chicago', false, false, undefined, '2021-09-01'),
  ba('AECI', 'Associated Electric Cooperative, Inc.', 'MIDW', 'America/Chicago', false, false),
  ba('AVA', 'Avista Corporation', 'NW', 'America/Los_Angeles', false, false),
  ba('AVRN', 'Avangrid Renewables, LLC', 'NW', 'America/Los_Angeles', true, false, '2018-07-31'),
  ba('AZPS', 'Arizona Public Service Company', 'SW', 'America/Phoenix', false, false),
  ba('BANC', 'Balancing Authority of Northern California', 'CAL', 'America/Los_Angeles', false, false),
  ba('BHBA', 'Black Hills Energy', 'NW', 'America/Denver', false, false, '2026-04-01', undefined, false),
  ba('BPAT', 'Bonneville Power Administration', 'NW', 'America/Los_Angeles', false, false),
  ba('CHPD', 'Public Utility District No. 1 of Chelan County', 'NW', 'America/Los_Angeles', false, false),
  ba('CISO', 'California Independent System Operator', 'CAL', 'America/Los_Angeles', false, true),
  ba('CPLE', 'Duke Energy Progress East', 'CAR', 'America/New_York', false, false),
  ba('CPLW', 'Duke Energy Progress West', 'CAR', 'America/New_York', false, false),
  ba('DEAA', 'Arlington Valley, LLC', 'SW', 'America/Phoenix', true, false),
  ba('DOPD', 'PUD No. 1 of Douglas County', 'NW', 'America/Los_Angeles', false, false),
  ba('DUK', 'Duke Energy Carolinas', 'CAR', 'America/New_York', false, false),
  ba('EEI', 'Electric Energy, Inc.', 'MIDW', 'America/Chicago', true, false, undefined, '2020-02-29'),
  ba('EPE', 'El Paso Electric Company', 'SW', 'America/Phoenix', false, false),
  ba('ERCO', 'Electric Reliability Council of Texas, Inc.', 'TEX', 'America/Chicago', false, true),
  ba('FMPP', 'Florida Municipal Power Pool', 'FLA', 'America/New_York', false, false),
  ba('FPC', 'Duke Energy Florida, Inc.', 'FLA', 'America/New_York', false, false),
  ba('FPL', 'Florida Power & Light Co.', 'FLA', 'America/New_York', false, false),
  ba('GCPD', 'Public Utility District No. 2 of Grant County, Washington', 'NW', 'America/Los_Angeles', false, false),
  ba('GLHB', 'GridLiance', 'MIDW', 'America/Chicago', true, false, '2020-02-29', '2022-09-01'),
  ba('GRID', 'Gridforce Energy Management, LLC', 'NW', 'America/Los_Angeles', true, false),
  ba('GRIF', 'Griffith Energy, LLC', 'SW', 'America/Phoenix', true, false, undefined, undefined, false),
  ba('GRMA', 'Gila River Power, LLC', 'SW', 'America/Phoenix', true, false, undefined, '2018-05-03'),
  ba('GVL', 'Gainesville Regional Utilities', 'FLA', 'America/New_York', false, false),
  ba('GWA', 'NaturEner Power Watch, LLC', 'NW', 'America/Denver', true, false),
  ba('HGMA', 'New Harquahala Generating Company, LLC', 'SW', 'America/Phoenix', true, false),
  ba('HST', 'City of Homestead', 'FLA', 'America/New_York', false, false),
  ba('IID', 'Imperial Irrigation District', 'CAL', 'America/Los_Angeles', false, false),
  ba('IPCO', 'Idaho Power Company', 'NW', 'America/Los_Angeles', false, false),
  ba('ISNE', 'ISO New England', 'NE', 'America/New_York', false, true),
  ba('JEA', 'JEA', 'FLA', 'America/New_York', false, false),
  ba('LDWP', 'Los Angeles Department of Water and Power', 'CAL', 'America/Los_Angeles', false, false),
  // The API's respondent-name is longer than the reference table's 'Louisville Gas and Electric Company and Kentucky
  // Utilities Company'; rows carry the API's, so the table does too.
  ba('LGEE', 'LG&E and KU Services Company as agent for Louisville Gas and Electric Company and Kentucky Utilities Company', 'MIDW', 'America/New_York', false, false),
  ba('MISO', 'Midcontinent Independent System Operator, Inc.', 'MIDW', 'America/New_York', false, true),
  ba('NEVP', 'Nevada Power Company', 'NW', 'America/Los_Angeles', false, false),
  ba('NSB', 'Utilities Commission of New Smyrna Beach', 'FLA', 'America/New_York', false, false, undefined, '2020-01-08'),
  ba('NWMT', 'NorthWestern Corporation', 'NW', 'America/Denver', false, false),
  ba('NYIS', 'New York Independent System Operator', 'NY', 'America/New_York', false, true),
  ba('OVEC', 'Ohio Valley Electric Corporation', 'MIDA', 'America/New_York', false, false, undefined, '2018-12-01'),
  ba('PACE', 'PacifiCorp East', 'NW', 'America/Denver', false, false),
  ba('PACW', 'PacifiCorp West', 'NW', 'America/Los_Angeles', false, false),
  ba('PGE', 'Portland General Electric Company', 'NW', 'America/Los_Angeles', false, false),
  ba('PJM', 'PJM Interconnection, LLC', 'MIDA', 'America/New_York', false, true),
  ba('PNM', 'Public Service Company of New Mexico', 'SW', 'America/Phoenix', false, true),
  ba('PSCO', 'Public Service Company of Colorado', 'NW', 'America/Denver', false, false),
  ba('PSEI', 'Puget Sound Energy, Inc.', 'NW', 'America/Los_Angeles', false, false),
  ba('SC', 'South Carolina Public Service Authority', 'CAR', 'America/New_York', false, false),
  ba('SCEG', 'Dominion Energy South Carolina, Inc.', 'CAR', 'America/New_York', false, false),
  ba('SCL', 'Seattle City Light', 'NW', 'America/Los_Angeles', false, false),
  ba('SEC', 'Seminole Electric Cooperative', 'FLA', 'America/New_York', false, false),
  ba('SEPA', 'Southeastern Power Administration', 'SE', 'America/Chicago', true, false),
  ba('SIKE', 'Sikeston Board of Municipal Utilities', 'MIDW', 'America/Chicago', true, false, '2025-06-01', undefined, false),
  ba('SOCO', 'Southern Company Services, Inc. - Trans', 'SE', 'America/Chicago', false, false),
  ba('SPA', 'Southwestern Power Administration', 'CENT', 'America/Chicago', false, false),
  ba('SRP', 'Salt River Project Agricultural Improvement and Power District', 'SW', 'America/Phoenix', false, false),
  ba('SWPP', 'Southwest Power Pool', 'CENT', 'America/Chicago', false, true),
  ba('SWPW', 'Southwest Power Pool West Balancing Authority Area', 'NW', 'America/Denver', false, false, '2026-04-01', undefined, false),
  ba('TAL', 'City of Tallahassee', 'FLA', 'America/New_York', false, false),
  ba('TEC', 'Tampa Electric Company', 'FLA', 'America/New_York', false, false),
  ba('TEPC', 'Tucson Electric Power', 'SW', 'America/Phoenix', false, false),
  ba('TIDC', 'Turlock Irrigation District', 'CAL', 'America/Los_Angeles', false, false),
  ba('TPWR', 'City of Tacoma, Department of Public Utilities, Light Division', 'NW', 'America/Los_Angeles', false, false),
  ba('TVA', 'Tennessee Valley Authority', 'TEN', 'America/Chicago', false, false),
  ba('WACM', 'Western Area Power Administration - Rocky Mountain Region', 'NW', 'America/Phoenix', false, false, undefined, '2026-03-31'),
  ba('WALC', 'Western Area Power Administration - Desert Southwest Region', 'SW', 'America/Phoenix', false, false),
  ba('WAUE', 'Western Area Power Administration - Upper Great Plains East', 'NW', 'America/Denver', false, false, undefined, '2015-10-01'),
  ba('WAUW', 'Western Area Power Administration - Upper Great Plains West', 'NW', 'America/Denver', false, false, undefined, '2026-03-31'),
  ba('WWA', 'NaturEner Wind Watch, LLC', 'NW', 'America/Denver', true, false),
  ba('YAD', 'Alcoa Power Generating, Inc. - Yadkin Division', 'CAR', 'America/New_York', true, false),
  foreign('AESO', 'Alberta Electric System Operator', 'America/Edmonton'),
  foreign('BCHA', 'British Columbia Hydro and Power Authority', 'America/Vancouver'),
  foreign('HQT', 'Hydro-Quebec TransEnergie', 'America/Toronto'),
  foreign('IESO', 'Ontario IESO', 'America/Toronto'),
  foreign('MHEB', 'Manitoba Hydro', 'America/Winnipeg'),
  foreign('NBSO', 'New Brunswick System Operator', 'America/Halifax'),
  foreign('SPC', 'Saskatchewan Power Corporation', 'America/Regina'),
  foreign('CEN', 'Centro Nacional de Control de Energia', 'America/Mexico_City'),
  foreign('CFE', 'Comision Federal de Electricidad', 'America/Mexico_City'),
];

/** Every known respondent by code. */
export const RESPONDENT_INFO: Readonly<Record<string, RespondentInfo>> = Object.freeze(
  Object.fromEntries(ALL.map((r) => [r.code, r])),
);

/** The IANA time zone of a respondent's local clock, or undefined for a code this table does not know. */
export function respondentTimeZone(code: string): string | undefined {
  return RESPONDENT_INFO[code]?.timeZone;
}

/** Codes of one kind, in table order (regions first as EIA lists them, BAs alphabetical). */
export function respondentCodes(kind: RespondentKind): string[] {
  return ALL.filter((r) => r.kind === kind).map((r) => r.code);
}

/** First UTC instant (epoch ms) a respondent has data from, or −Infinity when it reported from EIA-930's start. */
export function activeFromMs(r: RespondentInfo): number {
  return r.activeFrom ? Date.parse(`${r.activeFrom}T00:00:00Z`) : -Infinity;
}

/** The UTC instant (epoch ms) a respondent stopped reporting, or Infinity while it reports. */
export function retiredMs(r: RespondentInfo): number {
  return r.retiredOn ? Date.parse(`${r.retiredOn}T00:00:00Z`) : Infinity;
}

/** Whether a respondent's active span overlaps the half-open range [startMs, endMs). */
export function activeIn(r: RespondentInfo, startMs: number, endMs: number): boolean {
  return activeFromMs(r) < endMs && retiredMs(r) > startMs;
}
