/**
 * The bulk download facility of the simulator (docs/eia-bulk.md §1.1), keyless like EIA's:
 *
 * - `GET /bulk/manifest.txt`: `{"dataset":{"EBA":{…, "last_updated": <build time>, "accessURL": …/bulk/EBA.zip}}}`.
 * - `GET|HEAD /bulk/EBA.zip`: the current build's zip (`bulk-zip.ts`), rebuilt every simulated hour. `ETag` names
 *   the build; `Range: bytes=a-[b]` answers 206 (416 when unsatisfiable); `If-Range` with another build's tag, or a
 *   date, answers the whole file (200), as HTTP says, so a client never splices two builds; `If-None-Match` with the
 *   current tag answers 304.
 *
 * The zip is generated while it is sent. A full GET streams it chunked the first time (its size is not known yet)
 * and remembers size and sha256 from that pass; a HEAD or a Range request on a build not measured yet measures it
 * first (one generation pass), then streams again from the offset, skipping the bytes before it.
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { ebaBuildAt, ebaBuildTag, type EbaBuild } from './bulk-eba.js';
import { ebaZipStream, knownZipFacts, rememberZipFacts, zipFacts } from './bulk-zip.js';
import { simNow, type ResolvedOptions } from './options.js';

/** True for the paths this module serves. */
export function isBulkPath(path: string): boolean {
  return path === '/bulk/manifest.txt' || path === '/bulk/EBA.zip';
}

/** The manifest of the simulator's bulk facility (EIA's shape, the EBA entry only). */
export function bulkManifest(build: EbaBuild, origin: string): object {
  const lastUpdated = new Date(build.buildMs).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  return {
    dataset: {
      EBA: {
        identifier: 'EBA',
        title: 'U.S. Electric System Operating Data',
        name: 'U.S. Electric System Operating Data',
        last_updated: lastUpdated,
        modified: lastUpdated,
        accessURL: `${origin}/bulk/EBA.zip`,
        format: 'application/zip',
        description: 'Hourly demand, demand forecast, net generation by energy source and interchange (EIA-930), simulated.',
      },
    },
  };
}

/** Serve one bulk request. `respondents` limits the file (the `bulkRespondents` option; null = all). */
export async function serveBulk(
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
  const tag = `"${ebaBuildTag(build)}"`;
  const lastModified = new Date(build.buildMs).toUTCString();
  if (path === '/bulk/manifest.txt') {
    const body = `${JSON.stringify(bulkManifest(build, `http://${req.headers.host ?? '127.0.0.1'}`), null, 1)}\n`;
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(method === 'HEAD' ? undefined : body);
    return;
  }
  const base = { 'Content-Type': 'application/zip', 'Accept-Ranges': 'bytes', ETag: tag, 'Last-Modified': lastModified };
  if (req.headers['if-none-match'] === tag) {
    res.writeHead(304, base).end();
    return;
  }
  const range = parseRange(req.headers.range);
  const ifRange = req.headers['if-range'];
  const rangeApplies = range !== null && (ifRange === undefined || ifRange === tag || ifRange === lastModified);
  if (!rangeApplies && method === 'GET' && !knownZipFacts(build, respondents)) {
    // First full GET of this build: stream chunked, measure on the way.
    res.writeHead(200, base);
    const hash = createHash('sha256');
    let size = 0;
    const ok = await send(res, build, respondents, 0, Infinity, (c) => {
      hash.update(c);
      size += c.length;
    });
    if (ok) rememberZipFacts(build, respondents, { size, sha256: hash.digest('hex') });
    return;
  }
  const { size, sha256 } = await zipFacts(build, respondents);
  const digest = { 'X-Sim-Sha256': sha256 };
  if (!rangeApplies) {
    res.writeHead(200, { ...base, ...digest, 'Content-Length': size });
    if (method === 'HEAD') return void res.end();
    await send(res, build, respondents, 0, size - 1);
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
  await send(res, build, respondents, start, end);
}

/** `bytes=a-` or `bytes=a-b` (one range; anything else is ignored, as servers may). */
function parseRange(h: string | undefined): { start: number; end: number | null } | null {
  const m = h ? /^bytes=(\d+)-(\d*)$/.exec(h.trim()) : null;
  if (!m) return null;
  return { start: Number(m[1]), end: m[2] ? Number(m[2]) : null };
}

/** Generate the zip and send bytes [start, end] of it; false when the client went away first. */
async function send(
  res: http.ServerResponse,
  build: EbaBuild,
  respondents: ReadonlySet<string> | null,
  start: number,
  end: number,
  tap?: (chunk: Buffer) => void,
): Promise<boolean> {
  const src = ebaZipStream(build, respondents);
  let at = 0;
  try {
    for await (const chunk of src as AsyncIterable<Buffer>) {
      if (res.destroyed) return false;
      tap?.(chunk);
      const from = Math.max(0, start - at);
      const to = Math.min(chunk.length, end + 1 - at);
      at += chunk.length;
      if (to > from && !res.write(from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to))) {
        await drained(res);
      }
      if (at > end) break;
    }
  } catch {
    res.destroy();
    return false;
  } finally {
    src.destroy();
  }
  if (res.destroyed) return false;
  res.end();
  return true;
}

/** Resolves on 'drain' or 'close', leaving no listener behind. */
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
