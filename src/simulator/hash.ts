/**
 * Cheap deterministic integer hashing: every per-(seed, series, hour) decision of the simulator is one of these
 * calls, so data and faults are reproducible without storing anything.
 */

/** murmur3 fmix32 finalizer: a 32-bit avalanche mix. Returns an unsigned 32-bit integer. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Hash of two integers (order matters), unsigned 32-bit. */
export function hash2(a: number, b: number): number {
  return mix32(Math.imul(mix32(a), 0x9e3779b1) ^ b);
}

/** Hash of three integers, unsigned 32-bit. */
export function hash3(a: number, b: number, c: number): number {
  return mix32(Math.imul(hash2(a, b), 0x9e3779b1) ^ c);
}

/** Hash of four integers, unsigned 32-bit. */
export function hash4(a: number, b: number, c: number, d: number): number {
  return mix32(Math.imul(hash3(a, b, c), 0x9e3779b1) ^ d);
}

const INV_2_32 = 1 / 4294967296;

/** Map an unsigned 32-bit hash to [0, 1). */
export function unit(h: number): number {
  return h * INV_2_32;
}

/** FNV-1a of a string, unsigned 32-bit (used once per series/respondent at build time, never per row). */
export function strHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h >>> 0);
}

/**
 * Smooth value noise in [-1, 1]: random knots every `period` hours (seeded by `key`), smoothstep-interpolated.
 * `h` is an hour index (may be fractional).
 */
export function smoothNoise(key: number, h: number, period: number): number {
  const x = h / period;
  const k = Math.floor(x);
  const f = x - k;
  const a = unit(hash2(key, k)) * 2 - 1;
  const b = unit(hash2(key, k + 1)) * 2 - 1;
  const s = f * f * (3 - 2 * f);
  return a + (b - a) * s;
}

/** Salts that separate independent decisions made from the same (seed, series, hour). */
export const SALT = {
  MISS_HOUR: 0x1001,
  MISS_RUN: 0x1002,
  ROW_QUIRK: 0x1003,
  IDENT_RUN: 0x1004,
  REVISION: 0x1005,
  TOTALS: 0x1006,
  LAG: 0x1007,
  NOISE: 0x1008,
  WIND: 0x1009,
  CLOUD: 0x100a,
  OUTAGE: 0x100b,
  FAULT: 0x100c,
  TIES: 0x100d,
  LATENCY: 0x100e,
  SHUFFLE: 0x100f,
  NIGHT: 0x1010,
  REQID: 0x1011,
} as const;
