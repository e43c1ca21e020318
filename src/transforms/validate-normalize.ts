/**
 * The validate + normalize streaming stage: page items (their envelope parsed by the source) → `PageBatch`es, each
 * row loaded, quarantined or counted as a duplicate.
 */
import type { FlowItem, PageBatch, SourceItem, StreamTransform } from '../core/contracts.js';
import { EtlError } from '../core/errors.js';
import { abortError } from '../core/clock.js';
import { pageFrequency } from './normalize.js';
import { resolveValidateOptions, validatePage, type ValidateOptions } from './validate.js';

/** Options of `validateNormalize`; rule options (`ValidateOptions`) default as documented there. */
export interface ValidateNormalizeOptions extends Partial<ValidateOptions> {
  /** Run start, epoch ms, stamped on every record and quarantined row. Default: `Date.now()` when the stage is created. */
  readonly ingestedAt?: number;
  /** Quarantine rows whose period lies outside the page's unit window `[unit.startMs, unit.endMs)`. Default true. */
  readonly enforceUnitWindow?: boolean;
}

/**
 * Build the stage. For each `page` item it validates and normalizes `page.envelope.rows` (the body is not read),
 * with `dataset` from `page.unit.dataset`, and yields a `PageBatch` whose `records + quarantined + duplicates` is
 * the rows received (the flow asserts it for every batch). `unit-end` and `unit-restart` items pass through in
 * order. Throws `ETL_CONFIG_INVALID` at creation for bad options and `ETL_ABORTED` when `signal` aborts.
 */
export function validateNormalize(opts: ValidateNormalizeOptions = {}): StreamTransform<SourceItem, FlowItem> {
  const { ingestedAt = Date.now(), enforceUnitWindow = true, ...rules } = opts;
  if (!Number.isFinite(ingestedAt)) throw new EtlError('ETL_CONFIG_INVALID', 'config', `transforms.ingestedAt must be epoch ms, got ${ingestedAt}`);
  const options = resolveValidateOptions(rules);

  return async function* validateNormalizeStage(items, { signal }) {
    for await (const item of items) {
      if (signal.aborted) throw abortError();
      if (item.kind !== 'page') {
        yield item;
        continue;
      }
      const { page } = item;
      const { envelope, unit } = page;
      const result = validatePage(
        envelope.rows,
        {
          dataset: unit.dataset,
          sourcePage: page.pageId,
          ingestedAt,
          frequency: pageFrequency(envelope.frequency, envelope.dateFormat),
          window: enforceUnitWindow ? { startMs: unit.startMs, endMs: unit.endMs } : undefined,
        },
        options,
      );
      const batch: PageBatch = { kind: 'page', page, envelope, ...result, duplicates: result.duplicates + (page.sourceDuplicates ?? 0) };
      yield batch;
    }
  };
}
