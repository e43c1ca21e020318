/**
 * A set of numbers that are mostly integers in a known range: a bitmap over [lo, lo + span), a `Set` for any
 * other value (outside the range, or not an integer). Used for epoch hours of one unit's window (the source's
 * tally, the sinks' duplicate count): ~10 ns and 1 bit per hour of the window instead of a hash-set entry.
 */
export class IntSet {
  private readonly span: number;
  private readonly bits: Uint8Array;
  private other: Set<number> | null = null;

  /** `span`: how many integers from `lo` on go to the bitmap (clamped to 0…2^24). */
  constructor(
    private readonly lo: number,
    span: number,
  ) {
    this.span = Math.max(0, Math.min(Number.isFinite(span) ? Math.floor(span) : 0, 2 ** 24));
    this.bits = new Uint8Array((this.span + 7) >> 3);
  }

  has(n: number): boolean {
    const i = n - this.lo;
    if (i >= 0 && i < this.span && Number.isInteger(i)) return (this.bits[i >> 3] & (1 << (i & 7))) !== 0;
    return this.other?.has(n) ?? false;
  }

  /** Add `n`; false when it was already there. */
  add(n: number): boolean {
    const i = n - this.lo;
    if (i >= 0 && i < this.span && Number.isInteger(i)) {
      const k = i >> 3;
      const b = 1 << (i & 7);
      if (this.bits[k] & b) return false;
      this.bits[k] |= b;
      return true;
    }
    const o = (this.other ??= new Set());
    if (o.has(n)) return false;
    o.add(n);
    return true;
  }
}
