/**
 * The warehouse a fetch run writes through: the store's warehouse (`src/store/duckdb/warehouse.ts`) with the
 * DuckDB sink on its instance (`src/sinks/duckdb/sink.ts`). The sink is attached, so closing the warehouse closes
 * the sink before the CHECKPOINT. The store and the sinks do not import each other's adapters; they meet here.
 */
import type { Sink } from '../core/contracts.js';
import { createDuckDbSink, type DuckDbSinkStats } from '../sinks/duckdb/sink.js';
import { openWarehouse as openStoreWarehouse, type Warehouse as StoreWarehouse, type WarehouseOptions } from '../store/duckdb/warehouse.js';

export type { LedgerUnit, RunFinishInfo, RunStartInfo, WarehouseChecksum, WarehouseOptions } from '../store/duckdb/warehouse.js';
export { WAREHOUSE_FILE } from '../store/duckdb/warehouse.js';

/** An open warehouse with its DuckDB sink. */
export interface Warehouse extends StoreWarehouse {
  /** The DuckDB sink (one per warehouse; commit it last). */
  readonly sink: Sink & { stats(): DuckDbSinkStats };
}

/** Open (creating if needed) the warehouse of `dataDir` and attach its DuckDB sink. Throws `ETL_LOCKED` or `ETL_SINK_WRITE`. */
export async function openWarehouse(dataDir: string, opts: WarehouseOptions = {}): Promise<Warehouse> {
  const warehouse = await openStoreWarehouse(dataDir, opts);
  const sink = createDuckDbSink(warehouse.instance, opts.now ?? Date.now);
  warehouse.attach(sink);
  return { ...warehouse, sink };
}
