/**
 * The report's SQL: every query aggregates inside DuckDB (per month, day, reason, run…), so what reaches
 * JavaScript is bounded by respondents × days, never by observation rows. Results use only VARCHAR and DOUBLE
 * columns (counts cast to DOUBLE, times as epoch ms or `YYYY-MM[-DD]` text) so rows map to plain numbers and
 * strings. Pure: text only; `read.ts` runs them.
 */
import { Flag } from '../core/contracts.js';

/** Month / day of an hour-ending period by the hour's start, in UTC (the views' convention). */
const hourStart = (col: string) => `timezone('UTC', ${col} - INTERVAL 1 HOUR)`;
/** Truncate first, format after grouping: strftime on every row costs more than the aggregate itself. */
const monthStart = (col: string) => `date_trunc('month', ${hourStart(col)})`;
const dayStart = (col: string) => `CAST(${hourStart(col)} AS DATE)`;
const fmtMonth = (col: string) => `strftime(${col}, '%Y-%m')`;
const fmtDay = (col: string) => `strftime(${col}, '%Y-%m-%d')`;
const ms = (col: string) => `epoch_ms(${col})::DOUBLE`;

/** Lower-case flag names: the `data_quality` view has one count column per name. */
export const FLAG_RULES = Object.keys(Flag).map((k) => k.toLowerCase());

export const SQL = {
  datasets: `
    SELECT dataset, count(DISTINCT respondent)::DOUBLE AS respondents, count(DISTINCT series)::DOUBLE AS series,
      count(*)::DOUBLE AS rows, ${ms('min(period)')} AS first_ms, ${ms('max(period)')} AS last_ms
    FROM observations GROUP BY dataset ORDER BY dataset`,

  respondents: `
    SELECT respondent AS code, any_value(respondent_name) AS name
    FROM observations GROUP BY respondent ORDER BY respondent`,

  coverage: `
    SELECT dataset, respondent, ${fmtMonth('m')} AS month, present FROM (
      SELECT dataset, respondent, ${monthStart('period')} AS m, count(*)::DOUBLE AS present
      FROM observations GROUP BY ALL
    ) ORDER BY dataset, respondent, m`,

  seriesCounts: `
    SELECT dataset, respondent, count(DISTINCT series)::DOUBLE AS series
    FROM observations GROUP BY ALL ORDER BY ALL`,

  /** The longest gaps, each row carrying the totals over every gap (one pass over the window query). */
  longestGaps: (limit: number) => `
    SELECT dataset, respondent, series, ${ms('gap_start')} AS start_ms, ${ms('gap_end')} AS end_ms, hours::DOUBLE AS hours,
      count(*) OVER ()::DOUBLE AS all_runs, sum(hours) OVER ()::DOUBLE AS all_hours
    FROM coverage_gaps ORDER BY hours DESC, dataset, respondent, series, gap_start LIMIT ${limit}`,

  flagMonths: `
    SELECT strftime(month, '%Y-%m') AS month, rule, hours FROM (
      SELECT month, ${FLAG_RULES.map((r) => `sum(${r})::DOUBLE AS ${r}`).join(', ')}
      FROM data_quality GROUP BY month
    ) UNPIVOT (hours FOR rule IN (${FLAG_RULES.join(', ')}))
    WHERE hours > 0 ORDER BY month, rule`,

  flagTotals: `
    SELECT dataset, respondent, sum(rows)::DOUBLE AS rows, sum(flagged)::DOUBLE AS flagged,
      ${FLAG_RULES.map((r) => `sum(${r})::DOUBLE AS ${r}`).join(', ')}
    FROM data_quality GROUP BY ALL HAVING sum(flagged) > 0 ORDER BY flagged DESC, dataset, respondent`,

  quarantine: `
    SELECT dataset, reason, count(*)::DOUBLE AS rows FROM quarantine GROUP BY ALL ORDER BY rows DESC, dataset, reason`,

  demand: `
    SELECT respondent, ${fmtDay('d')} AS day, mean, min, max FROM (
      SELECT respondent, ${dayStart('period')} AS d, avg(value) AS mean, min(value) AS min, max(value) AS max
      FROM observations
      WHERE dataset = 'region-data' AND series = 'D' AND value IS NOT NULL
      GROUP BY ALL
    ) ORDER BY respondent, d`,

  /**
   * Monthly shares of generation. A fuel's monthly sum below zero (storage charging more than it discharges)
   * counts as 0, so shares stay in [0, 1] and add up to 1: the mix of what was generated.
   */
  mix: `
    WITH m AS (
      SELECT respondent, ${monthStart('period')} AS m, series AS fuel, greatest(sum(value), 0) AS mwh
      FROM observations WHERE dataset = 'fuel-type-data' GROUP BY ALL
    )
    SELECT respondent, ${fmtMonth('m')} AS month, fuel,
      coalesce(mwh / NULLIF(sum(mwh) OVER (PARTITION BY respondent, m), 0), 0) AS share
    FROM m ORDER BY respondent, m, fuel`,

  /** DF − D per hour where both have a value, then per respondent and month. */
  forecast: `
    WITH d AS (
      SELECT respondent, period, value FROM observations
      WHERE dataset = 'region-data' AND series = 'D' AND value IS NOT NULL
    ), f AS (
      SELECT respondent, period, value FROM observations
      WHERE dataset = 'region-data' AND series = 'DF' AND value IS NOT NULL
    ), e AS (
      SELECT d.respondent, ${monthStart('d.period')} AS m, f.value - d.value AS err,
        abs(f.value - d.value) / NULLIF(abs(d.value), 0) AS rel
      FROM d JOIN f USING (respondent, period)
    )
    SELECT respondent, ${fmtMonth('m')} AS month, avg(err) AS mean, quantile_cont(err, 0.05) AS p05,
      quantile_cont(err, 0.95) AS p95, coalesce(avg(rel), 0) AS mape, count(*)::DOUBLE AS hours
    FROM e GROUP BY respondent, m ORDER BY respondent, m`,

  revisionTotals: `
    SELECT count(*)::DOUBLE AS total, count(DISTINCT (dataset, respondent, series, period))::DOUBLE AS keys FROM revisions`,

  revisionsByMonth: `
    SELECT dataset, ${fmtMonth('m')} AS month, count FROM (
      SELECT dataset, ${monthStart('period')} AS m, count(*)::DOUBLE AS count FROM revisions GROUP BY ALL
    ) ORDER BY dataset, m`,

  revisionsBySeenDay: `
    SELECT strftime(timezone('UTC', seen_at), '%Y-%m-%d') AS day, count(*)::DOUBLE AS count
    FROM revisions GROUP BY ALL ORDER BY ALL`,

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
