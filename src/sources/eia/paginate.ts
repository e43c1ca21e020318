/**
 * Paging of one unit, pure (docs/eia-api.md §6.3): the first request (offset 0) reads `total`; the remaining offsets
 * are then known and may be fetched concurrently. A `UnitTally` verifies the unit: every page reports the same
 * `total`, no natural key (period + both facet codes) appears on two different pages, no page before `total` is
 * empty, and the rows add up to `total`.
 */
import { DATASET_INFO, type Dataset } from '../../core/catalog.js';
import type { PageEnvelope } from '../../core/contracts.js';
import { IntSet } from '../../core/int-set.js';
import { HOUR_MS, PeriodParser } from '../../core/time.js';
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

/**
 * The natural keys (period + both facet codes) seen in one unit, without a string per row: facet code → facet
 * code → set of epoch hours (`IntSet`). A period that is not a `YYYY-MM-DDTHH` stamp (a row
 * validation will quarantine) is kept as its full string key instead. Exact: two rows share an entry only when
 * their period strings and both facet codes are equal.
 *
 * Why: a `Set` of `period|a|b` strings cost ~130 bytes per row and held ~20 MB of a 48 MB live heap at the end
 * of a 150k-row unit. With the unit's window given, each facet pair's hours are a bitmap over the window (1 bit
 * per hour, ~10 ns per row); without it, a `Set` of numbers (~15 bytes per row). Nothing is allocated per row.
 */
export class UnitKeySet {
  private readonly a: string;
  private readonly b: string;
  private readonly hours = new Map<string, Map<string, IntSet>>();
  private readonly firstHour: number;
  private readonly spanHours: number;
  private readonly other = new Set<string>();
  private readonly keyOf: (row: Record<string, unknown>) => string;
  private readonly periods = new PeriodParser('hourly');

  /** `window`: the unit's half-open UTC range; its hours go to bitmaps (others still count, in a `Set`). */
  constructor(dataset: Dataset, window?: { readonly startMs: number; readonly endMs: number }) {
    [this.a, this.b] = DATASET_INFO[dataset].facets;
    this.keyOf = rowKeyOf(dataset);
    this.firstHour = window ? Math.floor(window.startMs / HOUR_MS) : 0;
    this.spanHours = window ? Math.ceil(window.endMs / HOUR_MS) - this.firstHour + 1 : 0;
  }

  /** The key of a row as text (for messages). */
  keyText(row: Record<string, unknown>): string {
    return this.keyOf(row);
  }

  has(row: Record<string, unknown>): boolean {
    const h = this.hourOf(row.period);
    if (h === undefined) return this.other.has(this.keyOf(row));
    return this.hours.get(text(row[this.a]))?.get(text(row[this.b]))?.has(h) ?? false;
  }

  add(row: Record<string, unknown>): void {
    const h = this.hourOf(row.period);
    if (h === undefined) {
      this.other.add(this.keyOf(row));
      return;
    }
    const a = text(row[this.a]);
    const b = text(row[this.b]);
    let byB = this.hours.get(a);
    if (!byB) this.hours.set(a, (byB = new Map()));
    let set = byB.get(b);
    if (!set) byB.set(b, (set = new IntSet(this.firstHour, this.spanHours)));
    set.add(h);
  }

  /** Epoch hour of a `YYYY-MM-DDTHH` stamp, undefined for anything else. */
  private hourOf(period: unknown): number | undefined {
    const ms = this.periods.parse(period);
    return ms === undefined ? undefined : ms / HOUR_MS;
  }
}

const text = (v: unknown): string => (typeof v === 'string' ? v : String(v));

/** Verification state of one unit (one attempt of it). */
export class UnitTally {
  private readonly seen: UnitKeySet;
  private total: number | undefined;
  /** Pages accepted so far. */
  pages = 0;
  /** Rows accepted so far. */
  rows = 0;

  constructor(readonly unitId: string, dataset: Dataset, window?: { readonly startMs: number; readonly endMs: number }) {
    this.seen = new UnitKeySet(dataset, window);
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
    const rows = env.rows as unknown as Record<string, unknown>[];
    for (const r of rows) {
      if (this.seen.has(r)) return { ok: false, reason: `key ${this.seen.keyText(r)} repeated across pages (offset ${offset})` };
    }
    for (const r of rows) this.seen.add(r);
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
