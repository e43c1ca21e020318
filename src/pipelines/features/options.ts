/**
 * The `features` command's own options: `--split` boundaries and the `--out` default (they depend on the range and
 * the data directory), called once by the CLI's config (src/config/argv.ts), which has already checked `--impute`
 * against its schema. Pure; every error is a one-line `ETL_CONFIG_INVALID` naming the flag and the allowed values.
 */
import path from 'node:path';
import { configError } from '../../core/errors.js';
import { formatHourStamp, parseInstant } from '../../core/time.js';
import type { ImputeMode } from './spec.js';

/** What `features` needs beyond the common options. */
export interface FeatureOptions {
  /** Split boundaries (epoch ms, whole UTC hours, ascending, 0–2 of them) on `hour_end_utc`. */
  readonly splits: readonly number[];
  readonly impute: ImputeMode;
  /** Output directory (default `<dataDir>/features`). */
  readonly out: string;
  /** Respondents asked for with --regions, or null = every respondent the warehouse holds. */
  readonly regions: readonly string[] | null;
  /** True when --start/--end were given; otherwise the range is the warehouse's extent. */
  readonly rangeGiven: boolean;
}

/** The flag values: `split` and `out` as typed, `impute` already checked. */
export interface FeatureFlags {
  split?: string;
  impute: ImputeMode;
  out?: string;
}

/**
 * Parse the `features` flags; --split takes what --start takes (`parseInstant`).
 * @throws EtlError ETL_CONFIG_INVALID
 */
export function parseFeatureOptions(
  flags: FeatureFlags,
  ctx: { dataDir: string; regions: readonly string[] | null; rangeGiven: boolean },
): FeatureOptions {
  const splits: number[] = [];
  if (flags.split !== undefined) {
    const parts = flags.split.split(',').map((s) => s.trim());
    if (parts.length > 2 || parts.some((p) => p === '')) {
      throw configError(`--split takes one or two UTC dates YYYY-MM-DD[THH], comma-separated, e.g. 2024-01-01,2025-01-01 (got '${flags.split}')`);
    }
    for (const p of parts) splits.push(parseInstant('--split', p));
    if (splits.length === 2 && splits[1] <= splits[0]) {
      throw configError(`--split boundaries must increase (got ${parts.join(',')}): train < first ≤ validation < second ≤ test`);
    }
  }
  const out = flags.out ?? path.join(ctx.dataDir, 'features');
  if (out.trim() === '') throw configError('--out must not be empty');
  return { splits, impute: flags.impute, out, regions: ctx.regions, rangeGiven: ctx.rangeGiven };
}

/**
 * Every boundary must fall strictly inside the range, so that no split is empty.
 * @throws EtlError ETL_CONFIG_INVALID naming --split and the range.
 */
export function checkSplitsInRange(splits: readonly number[], startMs: number, endMs: number): void {
  for (const b of splits) {
    if (b <= startMs || b >= endMs) {
      throw configError(
        `--split boundary ${formatHourStamp(b)} is outside the range: it must be after --start ${formatHourStamp(startMs)} ` +
          `and before --end ${formatHourStamp(endMs)}`,
      );
    }
  }
}
