/**
 * Six-month CSV observations → what the flow reads: unit ids, API-shaped rows, and the seam filter. Pure.
 *
 * **A unit is one file × route × respondent × UTC year**, over a run of consecutive rows of the file (EIA writes a
 * BA's rows together; a BA whose rows come back later in the file gets a unit per run, never one id for two sets of
 * rows). Units never straddle years (Parquet partitions are per year), so a Jul_Dec file also gives a small unit of
 * the next year (the first hours of January 1 in UTC). The id names the file's content (12 hex of its sha256), so
 * the same files and job give the same ids (resume) and a refreshed file loads again.
 *
 * **Seams.** Neighbouring files share the hours between UTC and local midnight at their seam. The reader reads a
 * kind's files oldest first and keeps the first copy of a key: `SeamFilter` remembers the keys of the last day of a
 * file and drops the same keys in the first day of the next one, counting them as duplicates.
 */
import { createHash } from 'node:crypto';
import { DATASET_INFO, FUEL_TYPES, REGION_TYPES, RESPONDENTS, VALUE_UNITS, type Dataset } from '../../core/catalog.js';
import type { EiaRow } from '../../core/contracts.js';
import { UNIT_ID_PREFIX } from '../../core/provenance.js';
import { SEAM_MARGIN_MS, type SixMonthFile } from '../../core/six-month-files.js';
import { utcYear } from '../../core/time.js';

/** `gm-<dataset>-<YYYY>-<12 hex>`: stable for the same file content, job, respondent run and window. */
export function gridMonitorUnitId(
  fileTag: string,
  fileName: string,
  dataset: Dataset,
  respondent: string,
  run: number,
  filterTag: string,
  startMs: number,
  endMs: number,
): string {
  const text = ['gm', fileTag, fileName, dataset, respondent, run, filterTag, startMs, endMs].join('|');
  return `${UNIT_ID_PREFIX['grid-monitor']}${dataset}-${utcYear(startMs)}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
}

/** The unit window of a year inside the job's range. */
export function yearWindow(year: number, startMs: number, endMs: number): { startMs: number; endMs: number } {
  return { startMs: Math.max(startMs, Date.UTC(year, 0, 1)), endMs: Math.min(endMs, Date.UTC(year + 1, 0, 1)) };
}

function seriesName(dataset: Dataset, series: string): string | undefined {
  if (dataset === 'region-data') return REGION_TYPES[series];
  if (dataset === 'fuel-type-data') return FUEL_TYPES[series];
  if (dataset === 'interchange-data') return RESPONDENTS[series]?.name;
  return undefined; // sub-regions: the catalog's name, filled by the validator
}

/**
 * The row the API's route would send for the key: its keys in route order, `period` as `YYYY-MM-DDTHH` (or the
 * cell as found, for the validator to quarantine), names from the catalog, the value as read (a number, null, or
 * the unreadable cell text) and the API's `value-units`.
 */
export function gridMonitorRow(dataset: Dataset, respondent: string, series: string, period: string, value: unknown): EiaRow {
  const info = DATASET_INFO[dataset];
  const [, k1, n1, k2, n2] = info.rowKeys;
  const rName = RESPONDENTS[respondent]?.name;
  const sName = seriesName(dataset, series);
  const row: EiaRow = { period };
  const put = (k: string | undefined, v: string | undefined) => {
    if (k && v !== undefined) row[k] = v;
  };
  if (k1 === info.respondentFacet) {
    put(k1, respondent), put(n1, rName), put(k2, series), put(n2, sName);
  } else {
    put(k1, series), put(n1, sName), put(k2, respondent), put(n2, rName);
  }
  row.value = value;
  row['value-units'] = VALUE_UNITS;
  return row;
}

/** Keeps the first copy of each key across the seams of one kind's files, read oldest first. */
export class SeamFilter {
  private previous = new Set<string>();
  private current = new Set<string>();
  private file: SixMonthFile | null = null;
  /** Keys dropped so far. */
  duplicates = 0;

  /** Start the next file of the kind; the keys remembered from a file that is not its predecessor are forgotten. */
  startFile(file: SixMonthFile): void {
    const adjoining = this.file !== null && this.file.kind === file.kind && this.file.toMs === file.fromMs;
    this.previous = adjoining ? this.current : new Set();
    this.current = new Set();
    this.file = file;
  }

  /** True when the key was delivered by the previous file (drop it); remembers keys near the file's end. */
  isDuplicate(dataset: Dataset, respondent: string, series: string, period: number): boolean {
    const f = this.file!;
    if (period <= f.fromMs + SEAM_MARGIN_MS && this.previous.size && this.previous.has(`${dataset}|${respondent}|${series}|${period}`)) {
      this.duplicates++;
      return true;
    }
    if (period > f.toMs - SEAM_MARGIN_MS) this.current.add(`${dataset}|${respondent}|${series}|${period}`);
    return false;
  }
}
