/**
 * The `features` command's own flags (`--split`, `--impute`, `--out`), parsed once by `src/config.ts`. Pure; every
 * error is a one-line `ETL_CONFIG_INVALID` naming the flag and the allowed values.
 */
import path from 'node:path';
import { configError } from '../../core/errors.js';
import { formatHourStamp } from '../../core/time.js';
import { IMPUTE_MODES, type ImputeMode } from './spec.js';

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

/** The raw flag values. */
export interface FeatureFlags {
  split?: string;
  impute?: string;
  out?: string;
}

/**
 * Parse the `features` flags. `parseInstant` is config.ts's date parser (so --split takes what --start takes).
 * @throws EtlError ETL_CONFIG_INVALID
 */
export function parseFeatureOptions(
  flags: FeatureFlags,
  ctx: { dataDir: string; regions: readonly string[] | null; rangeGiven: boolean; parseInstant: (flag: string, text: string) => number },
): FeatureOptions {
  const impute = flags.impute ?? 'none';
  if (!(IMPUTE_MODES as readonly string[]).includes(impute)) {
    throw configError(`--impute must be one of ${IMPUTE_MODES.join(', ')} (got '${impute}')`);
  }
  const splits: number[] = [];
  if (flags.split !== undefined) {
    const parts = flags.split.split(',').map((s) => s.trim());
    if (parts.length > 2 || parts.some((p) => p === '')) {
      throw configError(`--split takes one or two UTC dates YYYY-MM-DD[THH], comma-separated, e.g. 2024-01-01,2025-01-01 (got '${flags.split}')`);
    }
    for (const p of parts) splits.push(ctx.parseInstant('--split', p));
    if (splits.length === 2 && splits[1] <= splits[0]) {
      throw configError(`--split boundaries must increase (got ${parts.join(',')}): train < first ≤ validation < second ≤ test`);
    }
  }
  const out = flags.out ?? path.join(ctx.dataDir, 'features');
  if (out.trim() === '') throw configError('--out must not be empty');
  return { splits, impute: impute as ImputeMode, out, regions: ctx.regions, rangeGiven: ctx.rangeGiven };
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
