/**
 * `plan`: the job's units, requests and expected rows; what the ledger says is done, open or remaining; the
 * budget use and ETA of the rest; and the command that resumes it. Writes nothing: the ledger is opened read-only
 * (and not at all when the data directory holds no warehouse), and no request is sent.
 */
import path from 'node:path';
import type { PipelineConfig } from '../../config.js';
import type { WorkUnit } from '../../core/contracts.js';
import { formatHourStamp, formatRange } from '../../core/time.js';
import { readLedger, type LedgerUnit } from '../../store/duckdb/ledger.js';
import { WAREHOUSE_FILE } from '../../store/duckdb/warehouse.js';
import { expectedRequests } from '../../sources/eia/index.js';
import { TYPICAL_LATENCY_S, etaSeconds } from '../../sources/eia/eta.js';
import { DEFAULT_LIMITER_MARGIN_MS } from '../../sources/eia/rate-limiter.js';
import type { RunDeps, RunResult } from '../execute.js';
import { planHistorical } from '../file-coverage.js';
import { selectionsFor } from '../selections.js';
import { resumeCommand, splitByLedger } from './plan-ledger.js';

export async function runPlan(config: PipelineConfig, deps: RunDeps): Promise<RunResult> {
  const selections = selectionsFor(config.types, config.regions);
  let ledger: ReadonlyMap<string, LedgerUnit> = new Map();
  let ledgerNote = 'no ledger yet';
  try {
    const read = await readLedger(path.join(config.dataDir, WAREHOUSE_FILE));
    if (read) {
      ledger = read;
      ledgerNote = `ledger ${path.join(config.dataDir, WAREHOUSE_FILE)}`;
    }
  } catch (e) {
    ledgerNote = 'ledger unreadable (a run may be writing it); counting every unit as remaining';
    deps.logger.warn(`plan: cannot read the ledger in ${config.dataDir}: ${(e as Error).message.split('\n')[0]}`);
  }
  // The same plan historical makes: hours a bulk back-fill stored are not the API's to fetch.
  const { units, requestsWithoutBulk } = planHistorical(selections, config.startMs, config.endMs, ledger.values(), config.revisionHorizonHours);
  const split = splitByLedger(units, ledger, (deps.now ?? Date.now)());
  const rest = [...split.open, ...split.todo];
  const requests = expectedRequests(units);
  const rows = sumRows(units);
  const restRequests = expectedRequests(rest);
  const etaS = etaSeconds({
    requests: restRequests,
    requestsPerSecond: config.requestsPerSecond,
    requestsPerHour: config.requestsPerHour,
    concurrency: config.concurrency,
    marginMs: DEFAULT_LIMITER_MARGIN_MS,
  });
  const resume = resumeCommand(config);
  const plan = {
    command: 'plan',
    source: config.source,
    start: formatHourStamp(config.startMs),
    end: formatHourStamp(config.endMs),
    regions: config.regions,
    types: config.types,
    units: units.length,
    requests,
    expectedRows: rows,
    rowsPerRequest: requests ? Math.round(rows / requests) : 0,
    done: { units: split.done.length, requests: split.doneRequests, rows: split.doneRows },
    open: { units: split.open.length, requests: expectedRequests(split.open) },
    remaining: { units: rest.length, requests: restRequests, expectedRows: sumRows(rest) },
    notPublishedYet: { units: split.later.length },
    /** Requests the job would need without the hours EIA's bulk file already stored (null: none in range). */
    requestsWithoutBulk,
    budgetHours: +(restRequests / config.requestsPerHour).toFixed(3),
    budgetShareOfOneHour: +Math.min(1, restRequests / config.requestsPerHour).toFixed(3),
    etaSeconds: Math.round(etaS),
    resume,
    perDataset: Object.fromEntries(
      selections.map((s) => {
        const us = units.filter((u) => u.dataset === s.dataset);
        return [s.dataset, { units: us.length, requests: expectedRequests(us), expectedRows: sumRows(us) }];
      }),
    ),
  };
  if (config.json) {
    deps.stdout.write(`${JSON.stringify(plan)}\n`);
    return { exitCode: 0, summary: null };
  }
  const lines = [
    `plan ${formatRange(config.startMs, config.endMs)} regions=${config.regions.join(',')} types=${config.types.join(',')} source=${config.source}`,
    ...Object.entries(plan.perDataset).map(
      ([d, p]) => `  ${d.padEnd(20)} units ${String(p.units).padStart(5)}  requests ${String(p.requests).padStart(6)}  expected rows ${p.expectedRows}`,
    ),
    `  job                  units ${String(plan.units).padStart(5)}  requests ${String(requests).padStart(6)}  expected rows ${rows} (${plan.rowsPerRequest} rows/request)`,
    ...(requestsWithoutBulk === null
      ? []
      : [`  bulk file: the ledger holds hours stored from EIA's bulk file; the API job leaves them out (${requests} requests instead of ${requestsWithoutBulk})`]),
    `  ${ledgerNote}: ${split.done.length} unit(s) done (${split.doneRequests} requests, ${split.doneRows} rows), ` +
      `${split.open.length} open (their window reached EIA's latest published hour: fetched again), ` +
      `${split.todo.length} not fetched, ${split.later.length} not published yet`,
    `  remaining: ${rest.length} unit(s), ${restRequests} requests, ~${plan.remaining.expectedRows} rows; ` +
      `budget ${restRequests} of ${config.requestsPerHour} requests/hour (${(plan.budgetHours * 100).toFixed(1)}% of one hour); ` +
      `ETA ≈ ${plan.etaSeconds} s at ≤ ${config.requestsPerSecond}/s, ${config.concurrency} in flight, ~${TYPICAL_LATENCY_S} s per response`,
    rest.length || split.later.length ? `  writes nothing. Run: ${resume}` : `  nothing remains; writes nothing. (Run: ${resume} would fetch nothing.)`,
  ];
  deps.stdout.write(`${lines.join('\n')}\n`);
  return { exitCode: 0, summary: null };
}

const sumRows = (us: readonly WorkUnit[]) => us.reduce((n, u) => n + u.expectedRows, 0);
