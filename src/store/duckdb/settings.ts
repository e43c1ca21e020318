/**
 * DuckDB settings of the pipeline's instances (the warehouse's, shared by the Parquet sink, and a Parquet sink's
 * private one). Measured on the shared 2-core machine; docs/parts/sinks.md, "DuckDB settings", has the figures.
 */

/**
 * `memory_limit`: 64 MB. 150k-row units commit within it (first loads and re-runs, Parquet and DuckDB on one
 * instance); 128 MB only let DuckDB keep more memory (peak RSS ~35–75 MB higher) for no speed gain. With the
 * duplicate count in JS, a first load fits in 32–40 MB, but a `--fresh` re-run of the default job (the
 * revisions join and the deletes) failed at 40 MB ("could not allocate block") and passed at 48 MB: 64 MB keeps
 * a margin over that, at ~15 MB of peak RSS.
 */
export const MEMORY_LIMIT = '64MB';

/**
 * `threads`: 1. On a loaded 2-core machine one thread cost ~25% less CPU per row end to end than two, and the
 * commits run in the background anyway (their latency is hidden behind the staging of the next unit).
 */
export const THREADS = 1;

/**
 * `allocator_bulk_deallocation_flush_threshold`: return memory to the OS whenever DuckDB frees more than this at
 * once (a commit's hash tables, sort runs, row groups). ~65 MB less peak RSS end to end, no CPU cost measured.
 */
export const ALLOCATOR_FLUSH = '1MB';

/**
 * `checkpoint_threshold`: 2 MB (DuckDB's default is 16 MB). Committed rows stay in memory as an in-memory table
 * until a checkpoint writes them to the file; at 16 MB that held 24–33 MB between checkpoints (three units).
 * At 2 MB every unit's commit checkpoints: DuckDB memory after a commit 5–17 MB, peak RSS 7–12 MB lower end to
 * end, no CPU cost measured.
 */
export const CHECKPOINT_THRESHOLD = '2MB';

/**
 * `checkpoint_threshold` of the bulk-file loads (`historical --source bulk`): 16 MB. A bulk unit is a respondent's
 * year (tens of thousands of rows), so at 2 MB every one of a file's many commits checkpointed: on the default job's
 * file `COMMIT` took 5.6–6.1 s of a 20 s load, 2.5 s at 16 MB (the load 20.7 → 16.7 s, peak RSS 324 → 327 MB
 * under tsx). Bulk runs are held to 512 MB, not 256. Replay gained nothing from it and held ~12 MB more, so the
 * other commands keep 2 MB.
 */
export const BULK_CHECKPOINT_THRESHOLD = '16MB';
