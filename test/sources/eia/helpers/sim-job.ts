/**
 * Shared helpers for the source tests against the simulator: a small multi-unit, multi-page job, a runner that
 * collects per-unit rows and keys, and the ground truth from the simulator's `countRows`/`generateRows`.
 */
import type { SourceItem, ApiWorkUnit } from '../../../../src/core/contracts.js';
import { createEiaClient, createEiaSource, type EiaClient, type EiaClientDeps } from '../../../../src/sources/eia/index.js';
import type { EiaSourceConfigInput } from '../../../../src/sources/eia/config.js';
import { planUnits, type Selection } from '../../../../src/sources/eia/planner.js';
import { rowKeyOf } from '../../../../src/sources/eia/query.js';
import { countRows, generateRows, type SimulatorOptions } from '../../../../src/simulator/index.js';

export const KEY = 'SIMKEY0123456789abcdefXYZ';
/** Simulated "now" well after the job's range: no publication lag, no revisions inside it. */
export const SIM_NOW = Date.UTC(2026, 1, 1);
export const SIM_BASE: Partial<SimulatorOptions> = { keys: [KEY], nowMs: SIM_NOW, latency: null };

/** fuel-type-data + region-data (D, NG) for three respondents across the 2024-07 taxonomy change. */
export const JOB: Selection[] = [
  { dataset: 'fuel-type-data', facets: { respondent: ['ERCO', 'MISO', 'PACW'] } },
  { dataset: 'region-data', facets: { respondent: ['ERCO', 'MISO', 'PACW'], type: ['D', 'NG'] } },
];
export const JOB_START = Date.UTC(2024, 5, 1);
export const JOB_END = Date.UTC(2024, 7, 1);
/** 6 units of one full page plus a partial one each (~40k rows, 12 requests). */
export const jobUnits = (): ApiWorkUnit[] => planUnits(JOB, JOB_START, JOB_END, { maxUnitRows: 8000 });

/** What a run delivered. */
export interface RunResult {
  items: SourceItem[];
  /** unit id → keys delivered (in the final attempt of the unit). */
  keys: Map<string, string[]>;
  /** Keys delivered more than once within a unit's final attempt. */
  duplicates: number;
  client: EiaClient;
}

/** Run `units` to the end against `baseUrl`; throws what the source throws. */
export async function runJob(
  baseUrl: string,
  units: readonly ApiWorkUnit[],
  cfg: Partial<EiaSourceConfigInput> = {},
  deps: EiaClientDeps = {},
): Promise<RunResult> {
  const config: EiaSourceConfigInput = { apiKey: KEY, baseUrl, requestsPerSecond: 50, requestsPerHour: 5000, ...cfg };
  const client = createEiaClient(config, deps);
  const source = createEiaSource(config, { units, client });
  const items: SourceItem[] = [];
  const keys = new Map<string, string[]>();
  try {
    for await (const item of source.read(new AbortController().signal)) {
      items.push(item);
      if (item.kind === 'unit-restart') keys.delete(item.unit.id);
      if (item.kind !== 'page') continue;
      const keyOf = rowKeyOf(item.page.unit.dataset);
      const list = keys.get(item.page.unit.id) ?? [];
      for (const r of item.page.envelope!.rows) list.push(keyOf(r));
      keys.set(item.page.unit.id, list);
    }
  } finally {
    await client.close();
  }
  let duplicates = 0;
  for (const list of keys.values()) duplicates += list.length - new Set(list).size;
  return { items, keys, duplicates, client };
}

/** Ground truth of one unit: the simulator's own count and key list. */
export function truth(u: ApiWorkUnit, opts: Partial<SimulatorOptions> = SIM_BASE): { count: number; keys: string[] } {
  const q = { dataset: u.dataset, facets: u.facets, startMs: u.startMs, endMs: u.endMs };
  const keyOf = rowKeyOf(u.dataset);
  return { count: countRows(q, opts), keys: [...generateRows(q, opts)].map((r) => keyOf(r)) };
}
