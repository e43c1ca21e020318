/**
 * The EIA API v2 simulator (`electricity/rto`, docs/eia-api.md §15): a loopback HTTP server that behaves like
 * api.eia.gov/v2 (envelopes, params, auth, paging, quirks, throttling, faults), backed by a deterministic
 * on-demand generator, plus pure ground-truth helpers (`countRows`, `generateRows`, `expectedSeries`).
 *
 * ```ts
 * const sim = await startSimulator({ seed: 7, budget: null });
 * // … point the client at sim.baseUrl …
 * expect(sim.unknownPathCount).toBe(0);
 * await sim.close();
 * ```
 */
import type { Dataset } from '../core/catalog.js';
import { withClockSpeed } from './clock.js';
import { resolveOptions, type SimulatorOptions } from './options.js';
import type { RequestLogEntry } from './request-log.js';
import { expectedSeries as seriesCodes } from './series.js';
import { startServer } from './server.js';

export type { FaultKind, FaultOptions, QuirkRates, SimulatorOptions, TimestampShift } from './options.js';
export { DEFAULT_OPTIONS, DEFAULT_QUIRKS, FAULT_KINDS } from './options.js';
export type { RequestLogEntry } from './request-log.js';
export { maxRequestsInWindow, minSpanOf } from './request-log.js';
export type { SimQuery } from './generator.js';
export { countRows, generateRows } from './generator.js';

/** A running simulator. */
export interface SimulatorHandle {
  /** `http://127.0.0.1:<port>/v2` (no trailing slash). */
  readonly baseUrl: string;
  readonly port: number;
  /** Every request so far, in completion order (a live view). */
  readonly requestLog: readonly RequestLogEntry[];
  /** Requests to paths that are not a simulator route (tests assert 0). */
  readonly unknownPathCount: number;
  /** Stop listening, cancel pending delayed responses, drop connections, flush the log file. Idempotent. */
  close(): Promise<void>;
}

/** Start a simulator on 127.0.0.1:`port` (default 0 = ephemeral). Options are validated loosely and frozen. */
export async function startSimulator(opts: Partial<SimulatorOptions> = {}, port = 0): Promise<SimulatorHandle> {
  const resolved = resolveOptions({ ...withClockSpeed(opts) });
  const server = await startServer(resolved, port);
  return {
    baseUrl: `http://127.0.0.1:${server.port}/v2`,
    port: server.port,
    requestLog: server.log.entries,
    get unknownPathCount() {
      return server.state.unknownPaths;
    },
    close: () => server.close(),
  };
}

/**
 * The series codes (type / fueltype / toba / subba) the generator emits for `respondent` (respondent / fromba /
 * parent) during UTC `year`, ascending (before missing rows and publication lag). With `opts.quirks.taxonomyChange`
 * false, the 2024-07 taxonomy change is not applied; with `opts.perturb`, the perturbed universe's series.
 */
export function expectedSeries(dataset: Dataset, respondent: string, year: number, opts: Partial<SimulatorOptions> = {}): string[] {
  const o = resolveOptions(opts);
  return seriesCodes(dataset, respondent, year, o.quirks.taxonomyChange, o.perturb);
}
