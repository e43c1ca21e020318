/**
 * The Prometheus metrics of a `follow` process (prom-client, a registry of its own so tests and several followers
 * in one process never share series). Counters only grow; the caller feeds them from each cycle's run summary.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface CycleFigures {
  readonly rowsLoaded: number;
  /** Of the loaded rows, those whose key was not stored before (their sum is the warehouse's row count). */
  readonly rowsNew?: number;
  readonly rowsQuarantined: number;
  readonly rowsRevised: number;
  /** Requests by HTTP status (or `error` when none came back). */
  readonly requestsByStatus: Readonly<Record<string, number>>;
  readonly throttled: number;
  readonly durationMs: number;
  readonly ok: boolean;
}

export interface RouteFreshness {
  readonly dataset: string;
  /** Newest stored hour (hour-ending, epoch ms), or null when nothing is stored. */
  readonly newestStoredMs: number | null;
  /** The route's latest published hour at the cycle's start, epoch ms. */
  readonly frontierMs: number | null;
}

export class FollowMetrics {
  readonly registry = new Registry();
  private readonly rows = new Counter({ name: 'eia_rows_total', help: 'Rows handled by follow cycles, by outcome (loaded, of them new and revised; quarantined).', labelNames: ['outcome'], registers: [this.registry] });
  private readonly requests = new Counter({ name: 'eia_requests_total', help: 'API requests sent by follow cycles, by HTTP status.', labelNames: ['status'], registers: [this.registry] });
  private readonly throttled = new Counter({ name: 'eia_throttled_responses_total', help: 'Over-limit answers (429, or an over-rate-limit body) received.', registers: [this.registry] });
  private readonly cycles = new Counter({ name: 'eia_cycles_total', help: 'Follow cycles finished, by result.', labelNames: ['result'], registers: [this.registry] });
  private readonly duration = new Histogram({ name: 'eia_cycle_duration_seconds', help: 'Wall time of a follow cycle.', buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800], registers: [this.registry] });
  private readonly budget = new Gauge({ name: 'eia_budget_requests_in_rolling_hour', help: 'Requests the key has spent in the last hour (the durable budget record).', registers: [this.registry] });
  private readonly newest = new Gauge({ name: 'eia_newest_stored_hour_seconds', help: 'Newest stored hour per route (hour-ending, Unix seconds).', labelNames: ['dataset'], registers: [this.registry] });
  private readonly lag = new Gauge({ name: 'eia_frontier_lag_seconds', help: 'Latest published hour minus newest stored hour, per route.', labelNames: ['dataset'], registers: [this.registry] });
  private readonly lastSuccess = new Gauge({ name: 'eia_last_success_timestamp_seconds', help: 'End of the last successful cycle (Unix seconds).', registers: [this.registry] });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    // Expose every labelled series from the start so a scraper sees zeros rather than absences.
    for (const outcome of ['loaded', 'new', 'quarantined', 'revised']) this.rows.inc({ outcome }, 0);
    for (const result of ['ok', 'failed']) this.cycles.inc({ result }, 0);
  }

  recordCycle(c: CycleFigures, endMs: number): void {
    this.rows.inc({ outcome: 'loaded' }, c.rowsLoaded);
    this.rows.inc({ outcome: 'new' }, c.rowsNew ?? 0);
    this.rows.inc({ outcome: 'quarantined' }, c.rowsQuarantined);
    this.rows.inc({ outcome: 'revised' }, c.rowsRevised);
    for (const [status, n] of Object.entries(c.requestsByStatus)) this.requests.inc({ status }, n);
    this.throttled.inc(c.throttled);
    this.cycles.inc({ result: c.ok ? 'ok' : 'failed' });
    this.duration.observe(c.durationMs / 1000);
    if (c.ok) this.lastSuccess.set(endMs / 1000);
  }

  setBudgetUsed(requestsInLastHour: number): void {
    this.budget.set(requestsInLastHour);
  }

  setFreshness(routes: readonly RouteFreshness[]): void {
    for (const r of routes) {
      if (r.newestStoredMs !== null) this.newest.set({ dataset: r.dataset }, r.newestStoredMs / 1000);
      if (r.newestStoredMs !== null && r.frontierMs !== null) {
        this.lag.set({ dataset: r.dataset }, Math.max(0, r.frontierMs - r.newestStoredMs) / 1000);
      }
    }
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
