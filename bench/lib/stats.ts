/** Small figures helpers shared by the bench sections. */

/** Median (the mean of the two middle values for an even count). */
export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Rounded to 2 decimals. */
export const r2 = (x: number): number => Math.round(x * 100) / 100;

/** Three significant digits (ratios far below 1 keep their precision). */
export const sig3 = (x: number): number => (x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(3)));
