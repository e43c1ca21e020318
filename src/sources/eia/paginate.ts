/**
 * Paging of one unit, pure (API doc §6.3): the first request (offset 0) reads `total`; the remaining offsets are
 * then known and may be fetched concurrently. A `UnitTally` verifies the unit: every page reports the same
 * `total`, no natural key (period + both facet codes) appears on two different pages, no page before `total` is
 * empty, and the rows add up to `total`.
 */
import type { Dataset } from '../../core/catalog.js';
import type { PageEnvelope } from '../../core/contracts.js';
import { rowKeyOf } from './query.js';

/**
 * Offsets still to fetch after the first page returned `firstRows` rows of `total`, asking `pageSize` per page.
 * Stride = `pageSize`, or `firstRows` when the server capped the page below what was asked (a silent lower cap).
 * An empty first page with `total > 0` yields none (stop defensively; the tally reports the shortfall).
 */
export function remainingOffsets(total: number, firstRows: number, pageSize: number): number[] {
  if (firstRows <= 0 || firstRows >= total) return [];
  const stride = firstRows < Math.min(pageSize, total) ? firstRows : pageSize;
  const out: number[] = [];
  for (let o = stride; o < total; o += stride) out.push(o);
  return out;
}

/** Result of a verification step. */
export type TallyCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Verification state of one unit (one attempt of it). */
export class UnitTally {
  private readonly keyOf: (row: Record<string, unknown>) => string;
  private readonly seen = new Set<string>();
  private total: number | undefined;
  /** Pages accepted so far. */
  pages = 0;
  /** Rows accepted so far. */
  rows = 0;

  constructor(readonly unitId: string, dataset: Dataset) {
    this.keyOf = rowKeyOf(dataset);
  }

  /** The `total` the first accepted page reported (undefined before any). */
  get expectedTotal(): number | undefined {
    return this.total;
  }

  /** Accept one page; a failed check means the unit must be re-fetched. */
  addPage(offset: number, env: PageEnvelope): TallyCheck {
    if (this.total === undefined) this.total = env.total;
    else if (env.total !== this.total) {
      return { ok: false, reason: `total changed from ${this.total} to ${env.total} at offset ${offset}` };
    }
    if (env.rows.length === 0 && offset < env.total) {
      return { ok: false, reason: `empty page at offset ${offset} before total ${env.total}` };
    }
    const keys = env.rows.map((r) => this.keyOf(r));
    for (const k of keys) {
      if (this.seen.has(k)) return { ok: false, reason: `key ${k} repeated across pages (offset ${offset})` };
    }
    for (const k of keys) this.seen.add(k);
    this.pages++;
    this.rows += env.rows.length;
    return { ok: true };
  }

  /** After the last page: rows must equal `total`. */
  finish(): TallyCheck {
    const total = this.total ?? 0;
    if (this.rows !== total) return { ok: false, reason: `expected ${total} rows (total), got ${this.rows}` };
    return { ok: true };
  }
}
