/**
 * Which form of EIA's data loaded a row: the API (EIA's or the simulator's), the bulk file `EBA.zip`, or the
 * Grid Monitor's six-month CSVs. Read from the ledger unit id, which every page id starts with: API unit ids start
 * with their route (`region-data-…`), the bulk sources' with their own prefix (`bulk-…`, `gm-…`), so a stored row's
 * form is known from its `source_page` without another column.
 */

/** The forms of the data, in the order a comparison names them (the API first). */
export const COPY_SOURCES = ['api', 'bulk', 'grid-monitor'] as const;
export type CopySource = (typeof COPY_SOURCES)[number];

/** Unit id prefixes of the bulk forms (their sources build ids with these; an id without one is the API's). */
export const UNIT_ID_PREFIX = { bulk: 'bulk-', 'grid-monitor': 'gm-' } as const satisfies Partial<Record<CopySource, string>>;

/** The form that loaded a unit (or a page: page ids are `<unit id>-p<n>`). */
export function copySourceOf(id: string): CopySource {
  if (id.startsWith(UNIT_ID_PREFIX.bulk)) return 'bulk';
  if (id.startsWith(UNIT_ID_PREFIX['grid-monitor'])) return 'grid-monitor';
  return 'api';
}

/** `copySourceOf` as a SQL expression over a VARCHAR column holding a unit or page id. */
export function copySourceSql(column: string): string {
  return `CASE WHEN starts_with(${column}, '${UNIT_ID_PREFIX.bulk}') THEN 'bulk' WHEN starts_with(${column}, '${UNIT_ID_PREFIX['grid-monitor']}') THEN 'grid-monitor' ELSE 'api' END`;
}

/**
 * `runs.source` of a bulk run: the form's name, or `<form>-simulator` when the built-in simulator served the file
 * (no key and no URL given: the run's data is simulated).
 */
export function fileRunSource(form: Exclude<CopySource, 'api'>, real: boolean): string {
  return real ? form : `${form}-simulator`;
}

/** Whether a `runs.source` names simulated data (`simulator`, `bulk-simulator`, `grid-monitor-simulator`). */
export function isSimulatedRunSource(source: string): boolean {
  return source === 'simulator' || source.endsWith('-simulator');
}

/** `isSimulatedRunSource` as a SQL predicate over a `runs.source` column. */
export function simulatedRunSourceSql(column: string): string {
  return `(${column} = 'simulator' OR ends_with(${column}, '-simulator'))`;
}
