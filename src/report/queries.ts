/**
 * The report's SQL. Everything aggregates inside DuckDB, so what reaches JavaScript is bounded by respondents ×
 * months (× days for demand), never by observation rows.
 *
 * The queries read `observation_facts` (text stored as ids into `strings`) and join the names onto the
 * aggregates, instead of scanning the `observations` view, which joins seven string columns onto every row
 * first; and one pass (`MONTHLY`) builds a temp table per dataset, respondent, series and month from which
 * extents, coverage, flag counts and the generation mix are all read. On the default job's 2.6M rows that is
 * one scan instead of six (docs/decisions.md, "The report"). Flag counts use the same bits as `data_quality`,
 * and the gap query is `coverage_gaps` on ids; a test compares both with the views.
 *
 * Results use only VARCHAR and DOUBLE columns (counts cast to DOUBLE, times as epoch ms or `YYYY-MM[-DD]` text).
 * Months and days group hours by their start (`period − 1 h`) in UTC, as the views do. Pure: text only.
 */
import { Flag } from '../core/contracts.js';

/**
 * The hour's start as a naive UTC TIMESTAMP, from the microseconds since the epoch: ~7× less CPU than
 * `timezone('UTC', period - INTERVAL 1 HOUR)` (ICU, measured 1.0 against 0.15 CPU-s on 2.6M rows), same result,
 * and independent of the session's time zone.
 */
const hourStart = (col: string) => `make_timestamp(epoch_us(${col}) - 3600000000)`;
const fmtMonth = (col: string) => `strftime(${col}, '%Y-%m')`;
const fmtDay = (col: string) => `strftime(${col}, '%Y-%m-%d')`;
const ms = (col: string) => `epoch_ms(${col})::DOUBLE`;
/** The id of a string in the warehouse's dictionary. */
const idOf = (s: string) => `(SELECT id FROM strings WHERE s = '${s}')`;

/** Lower-case flag names, as `data_quality` names its count columns. */
export const FLAG_RULES = Object.keys(Flag).map((k) => k.toLowerCase());
const FLAG_BITS = Object.values(Flag);

/** Hours whose value is not the BA's demand: left out of the demand band (see Quality for them). */
const NOT_DEMAND = Flag.MISSING_VALUE | Flag.NEGATIVE_OR_ZERO_DEMAND | Flag.GLOBAL_OUTLIER;

/** Name of the per-month temp table and its view with names joined. */
const M = 'report_monthly';
const MN = 'report_monthly_named';

/** Statements that build the monthly temp table (run first, once). */
export const MONTHLY = [
  `CREATE OR REPLACE TEMP TABLE ${M} AS
   SELECT dataset, respondent, series, date_trunc('month', ${hourStart('period')}) AS m,
     any_value(respondent_name) AS respondent_name,
     count(*) AS rows, min(period) AS first_p, max(period) AS last_p, sum(value) AS sum_value,
     count(*) FILTER (WHERE flags <> 0) AS flagged,
     ${FLAG_RULES.map((r, i) => `count(*) FILTER (WHERE flags & ${FLAG_BITS[i]} <> 0) AS ${r}`).join(',\n     ')}
   FROM observation_facts GROUP BY dataset, respondent, series, m`,
  `CREATE OR REPLACE TEMP VIEW ${MN} AS
   SELECT sd.s AS dataset, sr.s AS respondent, ss.s AS series, sn.s AS respondent_name, t.*
     EXCLUDE (dataset, respondent, series, respondent_name)
   FROM ${M} t JOIN strings sd ON sd.id = t.dataset JOIN strings sr ON sr.id = t.respondent
     JOIN strings ss ON ss.id = t.series JOIN strings sn ON sn.id = t.respondent_name`,
];

export const SQL = {
  datasets: `
    SELECT dataset, count(DISTINCT respondent)::DOUBLE AS respondents, count(DISTINCT series)::DOUBLE AS series,
      sum(rows)::DOUBLE AS rows, ${ms('min(first_p)')} AS first_ms, ${ms('max(last_p)')} AS last_ms
    FROM ${MN} GROUP BY dataset ORDER BY dataset`,

  respondents: `SELECT respondent AS code, any_value(respondent_name) AS name FROM ${MN} GROUP BY respondent ORDER BY respondent`,

  coverage: `
    SELECT dataset, respondent, ${fmtMonth('m')} AS month, sum(rows)::DOUBLE AS present
    FROM ${MN} GROUP BY dataset, respondent, m ORDER BY dataset, respondent, m`,

  seriesSpans: `
    SELECT dataset, respondent, series, ${ms('min(first_p)')} AS first_ms, ${ms('max(last_p)')} AS last_ms
    FROM ${MN} GROUP BY ALL ORDER BY ALL`,

  flagMonths: `
    SELECT ${fmtMonth('m')} AS month, rule, hours FROM (
      SELECT m, ${FLAG_RULES.map((r) => `sum(${r})::DOUBLE AS ${r}`).join(', ')} FROM ${M} GROUP BY m
    ) UNPIVOT (hours FOR rule IN (${FLAG_RULES.join(', ')}))
    WHERE hours > 0 ORDER BY month, rule`,

  flagTotals: `
    SELECT dataset, respondent, sum(rows)::DOUBLE AS rows, sum(flagged)::DOUBLE AS flagged,
      ${FLAG_RULES.map((r) => `sum(${r})::DOUBLE AS ${r}`).join(', ')}
    FROM ${MN} GROUP BY ALL HAVING sum(flagged) > 0 ORDER BY flagged DESC, dataset, respondent`,

  /**
   * Shares of generation per month (from the monthly table) or day. A fuel's sum below zero in a bucket (storage
   * charging more than it discharged) counts as 0, so the shares stay in [0, 1] and add up to 1: the mix of what
   * was generated.
   */
  mix: (grain: 'month' | 'day') => grain === 'month' ? `
    WITH f AS (
      SELECT respondent, m AS b, series AS fuel, greatest(coalesce(sum_value, 0), 0) AS mwh
      FROM ${MN} WHERE dataset = 'fuel-type-data'
    )
    SELECT respondent, ${fmtMonth('b')} AS bucket, fuel,
      coalesce(mwh / NULLIF(sum(mwh) OVER (PARTITION BY respondent, b), 0), 0) AS share
    FROM f ORDER BY respondent, b, fuel` : `
    WITH f AS (
      SELECT respondent, series, date_trunc('day', ${hourStart('period')}) AS b, greatest(coalesce(sum(value), 0), 0) AS mwh
      FROM observation_facts WHERE dataset IN ${idOf('fuel-type-data')} GROUP BY ALL
    )
    SELECT sr.s AS respondent, ${fmtDay('b')} AS bucket, ss.s AS fuel,
      coalesce(mwh / NULLIF(sum(mwh) OVER (PARTITION BY f.respondent, b), 0), 0) AS share
    FROM f JOIN strings sr ON sr.id = f.respondent JOIN strings ss ON ss.id = f.series ORDER BY respondent, b, fuel`,

  /** The longest gaps (`coverage_gaps` on ids and epoch microseconds), each row carrying the totals over every gap. */
  longestGaps: (limit: number) => `
    WITH n AS (
      SELECT dataset, respondent, series, epoch_us(period) AS p,
        lead(epoch_us(period)) OVER (PARTITION BY dataset, respondent, series ORDER BY period) AS np
      FROM observation_facts
    ), g AS (
      SELECT dataset, respondent, series, p + 3600000000 AS start_us, np - 3600000000 AS end_us, (np - p) // 3600000000 - 1 AS hours
      FROM n WHERE np - p > 3600000000
    ), top AS (
      SELECT *, count(*) OVER () AS all_runs, sum(hours) OVER () AS all_hours FROM g
      ORDER BY hours DESC, dataset, respondent, series, start_us LIMIT ${limit}
    )
    SELECT sd.s AS dataset, sr.s AS respondent, ss.s AS series, (start_us // 1000)::DOUBLE AS start_ms, (end_us // 1000)::DOUBLE AS end_ms,
      hours::DOUBLE AS hours, all_runs::DOUBLE AS all_runs, all_hours::DOUBLE AS all_hours
    FROM top JOIN strings sd ON sd.id = top.dataset JOIN strings sr ON sr.id = top.respondent
      JOIN strings ss ON ss.id = top.series
    ORDER BY hours DESC, dataset, respondent, series, start_ms`,

  quarantine: `
    SELECT dataset, reason, count(*)::DOUBLE AS rows FROM quarantine GROUP BY ALL ORDER BY rows DESC, dataset, reason`,

  /** Daily demand: mean, min and max of the hours with a plausible value (no missing, ≤ 0 or outlier flag). */
  demand: `
    SELECT sr.s AS respondent, ${fmtDay('d')} AS day, mean, min, max FROM (
      SELECT respondent, CAST(${hourStart('period')} AS DATE) AS d, avg(value) AS mean, min(value) AS min, max(value) AS max
      FROM observation_facts
      WHERE dataset IN ${idOf('region-data')} AND series IN ${idOf('D')} AND value IS NOT NULL AND flags & ${NOT_DEMAND} = 0
      GROUP BY ALL
    ) t JOIN strings sr ON sr.id = t.respondent ORDER BY respondent, d`,

  /** DF − D per hour where both have a value, then per respondent and month or day. */
  forecast: (grain: 'month' | 'day') => `
    WITH d AS (
      SELECT respondent, period, value FROM observation_facts
      WHERE dataset IN ${idOf('region-data')} AND series IN ${idOf('D')} AND value IS NOT NULL
    ), f AS (
      SELECT respondent, period, value FROM observation_facts
      WHERE dataset IN ${idOf('region-data')} AND series IN ${idOf('DF')} AND value IS NOT NULL
    ), e AS (
      SELECT d.respondent, date_trunc('${grain}', ${hourStart('d.period')}) AS m, f.value - d.value AS err,
        abs(f.value - d.value) / NULLIF(abs(d.value), 0) AS rel
      FROM d JOIN f USING (respondent, period)
    )
    SELECT sr.s AS respondent, ${grain === 'month' ? fmtMonth('m') : fmtDay('m')} AS bucket, mean, p05, p95, mape, hours FROM (
      SELECT respondent, m, avg(err) AS mean, quantile_cont(err, 0.05) AS p05, quantile_cont(err, 0.95) AS p95,
        coalesce(avg(rel), 0) AS mape, count(*)::DOUBLE AS hours
      FROM e GROUP BY respondent, m
    ) t JOIN strings sr ON sr.id = t.respondent ORDER BY respondent, m`,

  revisionTotals: `
    SELECT count(*)::DOUBLE AS total, count(DISTINCT (dataset, respondent, series, period))::DOUBLE AS keys FROM revisions`,

  revisionsByMonth: `
    SELECT dataset, ${fmtMonth('m')} AS month, count FROM (
      SELECT dataset, date_trunc('month', ${hourStart('period')}) AS m, count(*)::DOUBLE AS count FROM revisions GROUP BY ALL
    ) ORDER BY dataset, m`,

  revisionsBySeenDay: `
    SELECT ${fmtDay('d')} AS day, count FROM (
      SELECT CAST(timezone('UTC', seen_at) AS DATE) AS d, count(*)::DOUBLE AS count FROM revisions GROUP BY ALL
    ) ORDER BY d`,

  revisionsBySize: `
    SELECT CASE
        WHEN old_value IS NULL OR new_value IS NULL THEN 'from/to null'
        WHEN old_value = 0 THEN '≥ 100%'
        WHEN abs(new_value - old_value) / abs(old_value) < 0.001 THEN '< 0.1%'
        WHEN abs(new_value - old_value) / abs(old_value) < 0.01 THEN '0.1–1%'
        WHEN abs(new_value - old_value) / abs(old_value) < 0.1 THEN '1–10%'
        WHEN abs(new_value - old_value) / abs(old_value) < 1 THEN '10–100%'
        ELSE '≥ 100%' END AS bin,
      count(*)::DOUBLE AS count
    FROM revisions GROUP BY ALL`,

  revisionsTopSeries: (limit: number) => `
    SELECT dataset, respondent, series, count(*)::DOUBLE AS count,
      coalesce(avg(abs(new_value - old_value)), 0) AS mean_abs_change
    FROM revisions GROUP BY ALL ORDER BY count DESC, dataset, respondent, series LIMIT ${limit}`,

  /** Whether the warehouse has the reconciliation views (a warehouse from before them, opened read-only, has not). */
  hasCopies: `SELECT count(*)::DOUBLE AS n FROM duckdb_views() WHERE view_name = 'reconciliation' AND NOT internal`,

  copyPairs: `
    SELECT a_source, b_source, dataset, series, keys::DOUBLE AS keys, equal::DOUBLE AS equal, different::DOUBLE AS different,
      max_abs_difference FROM reconciliation ORDER BY ALL`,

  copyColumns: `
    SELECT dataset, series, keys::DOUBLE AS keys, hours_adjusted_differs::DOUBLE AS hours_adjusted_differs,
      api_equals_reported::DOUBLE AS api_equals_reported, api_equals_adjusted::DOUBLE AS api_equals_adjusted, api_value_is
    FROM reconciliation_columns ORDER BY ALL`,

  copyLargest: (limit: number) => `
    SELECT a_source, b_source, dataset, respondent, series, ${ms('period')} AS period_ms, a_value, b_value
    FROM copy_differences LIMIT ${limit}`,

  runs: (limit: number) => `
    SELECT run_id, command, coalesce(source, '') AS source, status, ${ms('started_at')} AS started_ms,
      duration_ms::DOUBLE AS duration_ms,
      CASE WHEN range_start IS NULL THEN NULL
        ELSE strftime(timezone('UTC', range_start), '%Y-%m-%dT%H') || ' → ' || strftime(timezone('UTC', range_end), '%Y-%m-%dT%H') END AS range,
      coalesce(array_to_string(regions, ','), '') AS regions, coalesce(array_to_string(types, ','), '') AS types,
      units::DOUBLE AS units, rows_received::DOUBLE AS rows_received, rows_loaded::DOUBLE AS rows_loaded,
      rows_quarantined::DOUBLE AS rows_quarantined,
      CAST(arguments AS VARCHAR) AS arguments, CAST(summary AS VARCHAR) AS summary
    FROM runs ORDER BY started_at DESC, run_id LIMIT ${limit}`,
} as const;
