/**
 * The rest of the EIA-930 universe: generator parameters for every balancing authority that the original profile
 * table (profiles.ts) does not hold. Scale is the order of magnitude of each BA's real average load (TVA and SOCO
 * tens of GW, Florida municipals tens to hundreds of MW); fuel sets follow what public sources state per BA
 * (docs/respondents.md, "Fuel sets") and are otherwise plausible for the BA's region and size. Everything here is
 * simulated, not EIA data.
 *
 * Kept apart from profiles.ts so the original respondents' rows stay exactly as they were: these entries only add
 * series, they never change an existing one.
 */

/** Mean demand MW, summer and winter peak amplitudes, generation / demand, fuel mix (`CODE:share`). */
export type ProfileRow = readonly [number, number, number, number, string];

// Seasonality by climate: hot summers (South, Southwest), winter-peaking Northwest, the rest in between.
const HOT = [0.32, 0.06] as const;
const MILD = [0.25, 0.15] as const;
const NWP = [0.08, 0.18] as const;

const row = (mean: number, season: readonly [number, number], genRatio: number, fuels: string): ProfileRow =>
  [mean, season[0], season[1], genRatio, fuels];

/** BAs with demand: code → profile row. */
export const BA_PROFILES: Readonly<Record<string, ProfileRow>> = {
  // Northwest
  AVA: row(1200, NWP, 1.1, 'COL:.1 NG:.3 OTH:.02 WAT:.6 WND:.1'),
  BHBA: row(350, MILD, 1.0, 'COL:.5 NG:.3 OTH:.01 WND:.3'),
  CHPD: row(250, NWP, 4.5, 'WAT:1'),
  DOPD: row(110, NWP, 6, 'WAT:1'),
  GCPD: row(600, NWP, 3, 'WAT:1'),
  IPCO: row(2100, HOT, 0.9, 'COL:.1 NG:.25 OTH:.01 SUN:.25 WAT:.55 WND:.2'),
  NEVP: row(4500, HOT, 0.85, 'NG:.75 OTH:.005 SUN:.5 WAT:.01'),
  NWMT: row(1300, NWP, 1.2, 'COL:.35 NG:.15 OTH:.01 WAT:.35 WND:.35'),
  PGE: row(2500, NWP, 0.8, 'NG:.5 OTH:.01 SUN:.05 WAT:.2 WND:.3'),
  PSCO: row(5800, MILD, 1.0, 'COL:.35 NG:.35 OTH:.01 SUN:.35 WAT:.02 WND:.6'),
  PSEI: row(2700, NWP, 0.8, 'COL:.15 NG:.4 OTH:.01 WAT:.2 WND:.2'),
  SCL: row(1100, NWP, 1.0, 'WAT:1'),
  SWPW: row(3200, MILD, 1.0, 'COL:.4 NG:.25 OTH:.01 SUN:.15 WAT:.2 WND:.3'),
  TPWR: row(600, NWP, 0.8, 'WAT:1'),
  WACM: row(2800, MILD, 1.1, 'COL:.5 NG:.2 OTH:.005 SUN:.1 WAT:.15 WND:.25'),
  WAUE: row(800, MILD, 1.2, 'COL:.4 WAT:.5 WND:.3'),
  WAUW: row(90, MILD, 1.0, 'WAT:1'),
  // California
  BANC: row(2000, HOT, 0.8, 'NG:.4 OTH:.01 SUN:.15 WAT:.45'),
  IID: row(450, HOT, 0.9, 'GEO:.45 NG:.35 OTH:.05 SUN:.3'),
  LDWP: row(3000, HOT, 0.9, 'COL:.25 NG:.45 OTH:.01 SUN:.35 WAT:.08 WND:.15'),
  TIDC: row(300, HOT, 0.7, 'NG:.5 OTH:.01 SUN:.1 WAT:.3'),
  // Carolinas
  CPLE: row(6500, MILD, 1.0, 'COL:.15 NG:.4 NUC:.4 OIL:.002 OTH:.01 SUN:.3 WAT:.02'),
  CPLW: row(650, MILD, 0.3, 'COL:.1 NG:.9 OIL:.005 SUN:.05'),
  DUK: row(11000, MILD, 1.05, 'COL:.2 NG:.3 NUC:.55 OIL:.001 OTH:.01 SUN:.15 WAT:.04'),
  SC: row(2400, MILD, 1.0, 'COL:.35 NG:.3 NUC:.15 OTH:.01 SUN:.05 WAT:.04'),
  SCEG: row(2600, MILD, 1.05, 'COL:.25 NG:.4 NUC:.35 OTH:.01 SUN:.15 WAT:.03'),
  // Central
  SPA: row(80, MILD, 4, 'WAT:1'),
  // Florida
  FMPP: row(2800, HOT, 1.0, 'COL:.1 NG:.85 OTH:.01 SUN:.15'),
  FPC: row(5500, HOT, 1.0, 'COL:.1 NG:.85 OIL:.005 OTH:.01 SUN:.3'),
  FPL: row(14000, HOT, 1.02, 'NG:.7 NUC:.25 OIL:.002 OTH:.01 SUN:.35'),
  GVL: row(230, HOT, 1.0, 'NG:.9 OTH:.15 SUN:.02'),
  HST: row(70, HOT, 0.1, 'NG:1'),
  JEA: row(1500, HOT, 1.0, 'COL:.2 NG:.8 OTH:.01 SUN:.05'),
  NSB: row(60, HOT, 0.05, 'NG:1'),
  SEC: row(600, HOT, 1.4, 'COL:.4 NG:.6'),
  TAL: row(300, HOT, 1.0, 'NG:1 SUN:.1'),
  TEC: row(2300, HOT, 1.0, 'COL:.1 NG:.85 OTH:.005 SUN:.3'),
  // Mid-Atlantic
  OVEC: row(400, MILD, 4, 'COL:1'),
  // Midwest
  AECI: row(2500, MILD, 1.2, 'COL:.6 NG:.3 OTH:.005 WND:.2'),
  LGEE: row(3800, MILD, 1.0, 'COL:.75 NG:.25 OTH:.005 SUN:.01 WAT:.02'),
  // Southeast
  AEC: row(1300, HOT, 1.0, 'COL:.4 NG:.5 OTH:.01 WAT:.05'),
  SOCO: row(26000, HOT, 1.02, 'COL:.2 NG:.45 NUC:.2 OIL:.001 OTH:.02 SUN:.12 WAT:.04'),
  // Southwest
  AZPS: row(4000, HOT, 1.1, 'COL:.2 NG:.4 NUC:.25 OIL:.001 OTH:.005 SUN:.35 WND:.03'),
  EPE: row(1200, HOT, 1.0, 'NG:.75 NUC:.15 OTH:.005 SUN:.2'),
  PNM: row(1200, HOT, 1.1, 'COL:.3 NG:.3 NUC:.2 OTH:.005 SUN:.3 WND:.3'),
  SRP: row(3600, HOT, 1.05, 'COL:.25 NG:.45 NUC:.2 OTH:.005 SUN:.2 WAT:.03'),
  TEPC: row(1800, HOT, 1.1, 'COL:.3 NG:.5 OTH:.005 SUN:.4 WND:.15'),
  WALC: row(900, HOT, 1.2, 'NG:.6 SUN:.2 WAT:.4'),
  // Tennessee
  TVA: row(20000, MILD, 1.0, 'COL:.2 NG:.3 NUC:.45 OIL:.001 OTH:.01 SUN:.02 WAT:.15 WND:.005'),
};

/** Generation-only BAs (no D/DF rows): code → [mean net generation MW, fuel mix]. */
export const GEN_ONLY_PROFILES: Readonly<Record<string, readonly [number, string]>> = {
  DEAA: [300, 'NG:1'],
  EEI: [700, 'COL:1'],
  GLHB: [300, 'COL:1'],
  GRID: [250, 'NG:.5 SUN:.6'],
  GRIF: [250, 'NG:1'],
  GRMA: [400, 'NG:1'],
  GWA: [120, 'WND:1'],
  HGMA: [300, 'NG:1'],
  SEPA: [400, 'WAT:1'],
  SIKE: [200, 'COL:1'],
  WWA: [150, 'WND:1'],
  YAD: [90, 'WAT:1'],
};

/**
 * Interchange pairs of the added BAs and of the foreign partners: [a, b, typical |flow| MW]. A foreign partner is
 * always `b`, and only a→b is served (foreign codes are interchange counterparts, never reporters).
 */
export const MORE_INTERCHANGE_PAIRS: readonly (readonly [string, string, number])[] = [
  ['AVA', 'BPAT', 400], ['CHPD', 'BPAT', 300], ['DOPD', 'BPAT', 150], ['GCPD', 'BPAT', 500], ['IPCO', 'PACE', 500],
  ['NEVP', 'PACE', 300], ['NEVP', 'LDWP', 400], ['NWMT', 'BPAT', 300], ['PGE', 'BPAT', 600], ['PSCO', 'WACM', 400],
  ['PSEI', 'BPAT', 700], ['SCL', 'BPAT', 300], ['TPWR', 'BPAT', 200], ['WAUW', 'NWMT', 50], ['GRID', 'BPAT', 150],
  ['GWA', 'NWMT', 100], ['WWA', 'NWMT', 120], ['BHBA', 'PACE', 100], ['SWPW', 'PSCO', 400], ['WAUE', 'SWPP', 200],
  ['BANC', 'CISO', 800], ['IID', 'CISO', 200], ['LDWP', 'CISO', 900], ['TIDC', 'BANC', 100],
  ['CPLE', 'DUK', 500], ['CPLW', 'DUK', 300], ['DUK', 'TVA', 400], ['DUK', 'SC', 300], ['SC', 'SCEG', 300],
  ['YAD', 'DUK', 80], ['SPA', 'SWPP', 60], ['FMPP', 'FPL', 400], ['FPC', 'FPL', 600], ['GVL', 'FPC', 60],
  ['HST', 'FPL', 50], ['JEA', 'FPL', 300], ['NSB', 'FPL', 40], ['SEC', 'FPC', 300], ['TAL', 'FPC', 100],
  ['TEC', 'FPC', 300], ['FPC', 'SOCO', 500], ['OVEC', 'PJM', 300], ['AECI', 'MISO', 400], ['LGEE', 'MISO', 500],
  ['LGEE', 'TVA', 400], ['EEI', 'MISO', 300], ['GLHB', 'MISO', 200], ['SIKE', 'MISO', 100], ['AEC', 'SOCO', 300],
  ['SEPA', 'SOCO', 200], ['SOCO', 'TVA', 1500], ['AZPS', 'SRP', 800], ['DEAA', 'AZPS', 200], ['EPE', 'PNM', 200],
  ['GRIF', 'WALC', 150], ['GRMA', 'AZPS', 200], ['HGMA', 'AZPS', 200], ['PNM', 'AZPS', 400], ['SRP', 'WALC', 300],
  ['TEPC', 'SRP', 300], ['WALC', 'CISO', 300], ['TVA', 'MISO', 1200], ['TVA', 'PJM', 1000],
  ['BPAT', 'BCHA', 900], ['NWMT', 'AESO', 200], ['ISNE', 'HQT', 1500], ['NYIS', 'HQT', 1000], ['ISNE', 'NBSO', 400],
  ['MISO', 'IESO', 600], ['NYIS', 'IESO', 800], ['MISO', 'MHEB', 1500], ['SWPP', 'SPC', 100], ['ERCO', 'CEN', 150],
  ['CISO', 'CEN', 300],
];

/** PNM's subregions (it reports subregion demand; codes and shares simulated): [subba, name, parent, share]. */
export const MORE_SUB_BAS: readonly (readonly [string, string, string, number])[] = [
  ['FRCN', 'Farmington', 'PNM', 0.05], ['KAFB', 'Kirtland Air Force Base', 'PNM', 0.02],
  ['NTUA', 'Navajo Tribal Utility Authority', 'PNM', 0.04], ['PNM', 'PNM System Firm Load', 'PNM', 0.82],
  ['TSGT', 'Tri-State Generation and Transmission', 'PNM', 0.07],
];
