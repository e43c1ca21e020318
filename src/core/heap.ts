/**
 * Heap policy of a pipeline process. The flow allocates ~100 MB/s of short-lived page objects (parsed JSON rows,
 * records, buffers) while its live heap stays at 25–45 MB. With V8's default growing factor (up to 4× the live
 * heap after each full GC) the old space grew to 110–140 MB before it was collected, most of it garbage, which
 * alone put the default job over its 256 MB peak-RSS budget. A factor of 1.5 keeps the old space within ~1.5×
 * the live heap: full GCs run more often but each one is short (5–15 ms, the live heap is small).
 * Measured on the default job, CPU-bound (docs/parts/memory.md): peak RSS 317–328 → 270 MB, for 15–20% more
 * CPU time (18.8–20.8 → 23.9–24.7 CPU-s); API-bound the extra CPU is invisible (the job waits on the API).
 */
import v8 from 'node:v8';

/** Old-space growing factor after a full GC, in percent above the live heap. */
export const HEAP_GROWING_PERCENT = 50;

/** Apply the heap policy to this process. V8 reads the factor at every full GC, so setting it at start-up works. */
export function applyHeapPolicy(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/**
 * How the pipeline process is launched (package.json `pipeline`; the bench launches it the same way; a test keeps
 * the two in step). These act before any JS runs, so they cannot be set from inside.
 * - `--max-semi-space-size=4`: the young generation's semi-spaces at 4 MB instead of 16 MB. 16 → 8 MB cut ~16 MB
 *   of peak RSS for no CPU cost seen; 8 → 4 MB another ~13 MB (runs of 228–248 against 242–262 MB) for ~5% more
 *   CPU (more scavenges). The pipeline's objects live as long as a page stays in flight, well beyond one
 *   scavenge, so a larger young generation only holds more garbage.
 * - `--enable-source-maps`: stack traces of the bundled `dist/cli.js` name the TypeScript lines.
 * - `MALLOC_ARENA_MAX=2`: glibc gives each thread that allocates (libuv's pool running zlib and fs, DuckDB's) its own
 *   malloc arena, up to 8 per core, and freed memory stays in them; 2 arenas cut 15–35 MB of peak RSS.
 */
export const LAUNCH_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--enable-source-maps'];
export const LAUNCH_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
