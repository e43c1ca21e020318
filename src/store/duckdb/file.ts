/** Where the warehouse lives: its file name inside the data directory (readers and the writer agree on it here). */
export const WAREHOUSE_FILE = 'eia.duckdb';
