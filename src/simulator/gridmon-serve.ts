/**
 * The simulator's Grid Monitor file folder (docs/eia-bulk.md §2.1), keyless like EIA's:
 *
 * - `GET /gridmonitor/sixMonthFiles/` (or `…/EIA930_File_List_Meta.csv`): EIA's file list, `YEAR,PERIOD,FILENAME,
 *   DESCRIPTION`, one line per published file.
 * - `GET|HEAD /gridmonitor/sixMonthFiles/EIA930_<KIND>_<YYYY>_<half>.csv`: the file at the current build
 *   (`gridmon-csv.ts`), generated while it is sent. `ETag` names the build, or only the file once its content no
 *   longer changes; `Range`, `If-Range` and `If-None-Match` behave as for `/bulk/EBA.zip` (bulk-serve.ts): a Range
 *   on a file not measured yet measures it first (one generation pass), then streams from the offset.
 *
 * A file not published at the build (before 2015 Jul_Dec, SUBREGION before 2018 Jul_Dec, a future half) is a 404.
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { parseSixMonthFileName, type SixMonthFile } from '../core/six-month-files.js';
import { ebaBuildAt, ebaBuildTag, type EbaBuild } from './bulk-eba.js';
import { gridMonitorCsv, gridMonitorFileFinal, gridMonitorFileList, gridMonitorFiles } from './gridmon-csv.js';
import { simNow, type ResolvedOptions } from './options.js';

export const GRID_MONITOR_PREFIX = '/gridmonitor/sixMonthFiles/';

export function isGridMonitorPath(path: string): boolean {
  return path.startsWith(GRID_MONITOR_PREFIX);
}

interface Facts {
  size: number;
  sha256: string;
}
/** Size and sha256 per (tag, respondents): measured on the first full GET, or by a pass before a Range. */
const facts = new Map<string, Facts>();

function* encoded(build: EbaBuild, file: SixMonthFile, respondents: ReadonlySet<string> | null): Generator<Buffer> {
  for (const s of gridMonitorCsv(build, file, respondents)) yield Buffer.from(s, 'utf8');
}

async function measure(build: EbaBuild, file: SixMonthFile, respondents: ReadonlySet<string> | null): Promise<Facts> {
  const hash = createHash('sha256');
  let size = 0;
  let n = 0;
  for (const c of encoded(build, file, respondents)) {
    hash.update(c);
    size += c.length;
    // Yield to the event loop now and then: other requests keep being served while a file is measured.
    if (++n % 64 === 0) await new Promise((r) => setImmediate(r));
  }
  return { size, sha256: hash.digest('hex') };
}

/** Serve one request under the folder. `respondents` limits every file (the `bulkRespondents` option; null = all). */
export async function serveGridMonitor(
  opts: ResolvedOptions,
  respondents: ReadonlySet<string> | null,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
): Promise<void> {
  req.resume();
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  const build = ebaBuildAt(opts, simNow(opts));
  const name = path.slice(GRID_MONITOR_PREFIX.length);
  if (name === '' || name === 'EIA930_File_List_Meta.csv') {
    const body = gridMonitorFileList(build);
    res.writeHead(200, { 'Content-Type': 'text/csv; charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(method === 'HEAD' ? undefined : body);
    return;
  }
  const file = parseSixMonthFileName(name);
  if (!file || !gridMonitorFiles(build).some((f) => f.name === file.name)) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    return;
  }
  const who = respondents ? [...respondents].sort().join('+') : 'all';
  const stamp = gridMonitorFileFinal(build, file) ? 'final' : ebaBuildTag(build);
  const tag = `"gm-s${build.opts.seed | 0}-${file.name}-${stamp}-${who}"`;
  const lastModified = new Date(stamp === 'final' ? Math.min(build.buildMs, file.toMs + 30 * 86_400_000) : build.buildMs).toUTCString();
  const base = { 'Content-Type': 'text/csv', 'Accept-Ranges': 'bytes', ETag: tag, 'Last-Modified': lastModified };
  if (req.headers['if-none-match'] === tag) {
    res.writeHead(304, base).end();
    return;
  }
  const range = parseRange(req.headers.range);
  const ifRange = req.headers['if-range'];
  const rangeApplies = range !== null && (ifRange === undefined || ifRange === tag || ifRange === lastModified);
  let known = facts.get(tag);
  if (!rangeApplies && method === 'GET' && !known) {
    res.writeHead(200, base);
    const hash = createHash('sha256');
    let size = 0;
    const ok = await send(res, build, file, respondents, 0, Infinity, (c) => {
      hash.update(c);
      size += c.length;
    });
    if (ok) facts.set(tag, { size, sha256: hash.digest('hex') });
    return;
  }
  if (!known) facts.set(tag, (known = await measure(build, file, respondents)));
  const { size, sha256 } = known;
  const digest = { 'X-Sim-Sha256': sha256 };
  if (!rangeApplies) {
    res.writeHead(200, { ...base, ...digest, 'Content-Length': size });
    if (method === 'HEAD') return void res.end();
    await send(res, build, file, respondents, 0, size - 1);
    return;
  }
  const start = range!.start;
  const end = Math.min(range!.end ?? size - 1, size - 1);
  if (start >= size || end < start) {
    res.writeHead(416, { ...base, 'Content-Range': `bytes */${size}` }).end();
    return;
  }
  res.writeHead(206, { ...base, ...digest, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 });
  if (method === 'HEAD') return void res.end();
  await send(res, build, file, respondents, start, end);
}

function parseRange(h: string | undefined): { start: number; end: number | null } | null {
  const m = h ? /^bytes=(\d+)-(\d*)$/.exec(h.trim()) : null;
  if (!m) return null;
  return { start: Number(m[1]), end: m[2] ? Number(m[2]) : null };
}

/** Generate the file and send bytes [start, end] of it; false when the client went away first. */
async function send(
  res: http.ServerResponse,
  build: EbaBuild,
  file: SixMonthFile,
  respondents: ReadonlySet<string> | null,
  start: number,
  end: number,
  tap?: (chunk: Buffer) => void,
): Promise<boolean> {
  let at = 0;
  let n = 0;
  try {
    for (const chunk of encoded(build, file, respondents)) {
      if (res.destroyed) return false;
      tap?.(chunk);
      const from = Math.max(0, start - at);
      const to = Math.min(chunk.length, end + 1 - at);
      at += chunk.length;
      if (to > from && !res.write(from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to))) await drained(res);
      else if (++n % 64 === 0) await new Promise((r) => setImmediate(r));
      if (at > end) break;
    }
  } catch {
    res.destroy();
    return false;
  }
  if (res.destroyed) return false;
  res.end();
  return true;
}

function drained(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
