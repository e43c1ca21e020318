/**
 * Fault selection (docs/eia-api.md §15.8). A request is faulted by the script first (1-based request number → kind),
 * else by the per-kind rates. Rate draws are seeded by (seed, the request without its key, how many times that exact
 * request was seen before), so a retried request draws afresh but a replayed test draws the same faults whatever the
 * interleaving of concurrent requests.
 */
import { SALT, hash3, strHash, unit } from './hash.js';
import { FAULT_KINDS, type FaultKind, type ResolvedOptions } from './options.js';

/** Faults that replace the response entirely (the normal response is never computed). */
export const REPLACING_FAULTS: ReadonlySet<FaultKind> = new Set<FaultKind>([
  '500', '502', '503', '504', 'reset', '403', 'html200', 'empty200', 'error200', 'oversized',
]);

/** Default delay of the `latency` fault, ms. */
export const DEFAULT_FAULT_DELAY_MS = 30_000;
/** Default body size of the `oversized` fault, bytes. */
export const DEFAULT_OVERSIZED_BYTES = 64 * 1024 * 1024;

/** Picks the fault of each request. One per server. */
export class FaultPicker {
  private readonly seen = new Map<string, number>();
  private readonly thresholds: [FaultKind, number][] = [];

  constructor(private readonly opts: ResolvedOptions) {
    let acc = 0;
    for (const kind of FAULT_KINDS) {
      const r = opts.faults?.rates?.[kind] ?? 0;
      if (r > 0) {
        acc += r;
        this.thresholds.push([kind, acc]);
      }
    }
  }

  /** The fault for request number `n` (1-based) whose identity (method, path, params without key) is `identity`. */
  pick(n: number, identity: string): FaultKind | null {
    const scripted = this.opts.faults?.script?.[n];
    if (scripted) return scripted;
    if (this.thresholds.length === 0) return null;
    const occurrence = this.seen.get(identity) ?? 0;
    this.seen.set(identity, occurrence + 1);
    const u = unit(hash3(this.opts.seed ^ SALT.FAULT, strHash(identity), occurrence));
    for (const [kind, upTo] of this.thresholds) if (u < upTo) return kind;
    return null;
  }
}
