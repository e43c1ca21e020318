/**
 * The `respondents` table of the warehouse: the offline respondent catalog (`core/respondents.ts`) as rows, so
 * the views can show each BA's local time with DuckDB's `timezone(time_zone, period)`. Refilled at every open
 * (delete + insert, ~100 rows), so the table always matches the build that last wrote the warehouse.
 */
import { RESPONDENT_INFO } from '../../core/respondents.js';
import { sqlString } from '../sql.js';

export const RESPONDENTS_DDL = `
CREATE TABLE IF NOT EXISTS respondents (
  code VARCHAR PRIMARY KEY,
  name VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  region VARCHAR,
  time_zone VARCHAR NOT NULL,
  generation_only BOOLEAN NOT NULL,
  subregion_demand BOOLEAN NOT NULL,
  active_from DATE,
  retired_on DATE
)`;

const text = (s: string | undefined) => (s === undefined ? 'NULL' : sqlString(s));
const day = (s: string | undefined) => (s === undefined ? 'NULL' : `DATE ${sqlString(s)}`);

/** Statements that replace the table's rows with the catalog. */
export function respondentsFill(): string[] {
  const rows = Object.values(RESPONDENT_INFO).map(
    (r) =>
      `(${[text(r.code), text(r.name), text(r.kind), text(r.region), text(r.timeZone), String(r.generationOnly), String(r.subregionDemand), day(r.activeFrom), day(r.retiredOn)].join(', ')})`,
  );
  return ['DELETE FROM respondents', `INSERT INTO respondents VALUES\n${rows.join(',\n')}`];
}
