/**
 * `EBA.zip` as a byte stream: one deflated member `EBA.txt` (the lines of `bulk-eba.ts`), written by yazl while the
 * lines are generated, so a multi-GB file is never held in memory.
 *
 * The bytes are a pure function of the build: the member's mtime is the build hour, the lines are generated in
 * the same order and chunks, and deflate at a fixed level gives the same output for the same input. That is what
 * lets the server answer a `Range` request by generating the file again and skipping to the offset, and what lets
 * a client compare its sha256 with the server's.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { ebaBuildTag, ebaLines, type EbaBuild } from './bulk-eba.js';

/** Bytes of text handed to the deflater at a time (lines are joined up to this, or passed whole when larger). */
const CHUNK_BYTES = 256 * 1024;
/** Deflate level: EIA's real file compresses ~6:1; level 1 is close enough and keeps generation CPU-bound on values. */
const LEVEL = 1;

/** The text of `EBA.txt` as a stream of buffers. */
function ebaText(build: EbaBuild, respondents: ReadonlySet<string> | null): Readable {
  return Readable.from(
    (function* () {
      let parts: string[] = [];
      let size = 0;
      for (const line of ebaLines(build, respondents)) {
        parts.push(line);
        size += line.length;
        if (size >= CHUNK_BYTES) {
          yield Buffer.from(parts.join(''), 'utf8');
          parts = [];
          size = 0;
        }
      }
      if (parts.length) yield Buffer.from(parts.join(''), 'utf8');
    })(),
    { objectMode: false, highWaterMark: 1 },
  );
}

/** The zip's bytes, generated on demand. `respondents` limits the file to those reporters (null = all). */
export function ebaZipStream(build: EbaBuild, respondents: ReadonlySet<string> | null = null): Readable {
  const zip = new yazl.ZipFile();
  zip.addReadStream(ebaText(build, respondents), 'EBA.txt', { mtime: new Date(build.buildMs), compressionLevel: LEVEL });
  zip.end();
  const out = new PassThrough({ highWaterMark: 64 * 1024 });
  zip.outputStream.pipe(out);
  return out;
}

/** Size and sha256 of a build's zip. */
export interface EbaZipFacts {
  readonly size: number;
  readonly sha256: string;
}

const facts = new Map<string, EbaZipFacts>();
const pending = new Map<string, Promise<EbaZipFacts>>();

function factsKey(build: EbaBuild, respondents: ReadonlySet<string> | null): string {
  return `${ebaBuildTag(build)}|${respondents ? [...respondents].sort().join(',') : '*'}`;
}

/** The facts if a full pass over this build's zip has been made already. */
export function knownZipFacts(build: EbaBuild, respondents: ReadonlySet<string> | null): EbaZipFacts | undefined {
  return facts.get(factsKey(build, respondents));
}

/** Record facts measured while streaming a whole file (a full GET computes them for free). */
export function rememberZipFacts(build: EbaBuild, respondents: ReadonlySet<string> | null, f: EbaZipFacts): void {
  facts.set(factsKey(build, respondents), f);
  while (facts.size > 16) facts.delete(facts.keys().next().value as string);
}

/** Size and sha256 of a build's zip: a generation pass the first time, remembered after. */
export function zipFacts(build: EbaBuild, respondents: ReadonlySet<string> | null): Promise<EbaZipFacts> {
  const key = factsKey(build, respondents);
  const hit = facts.get(key);
  if (hit) return Promise.resolve(hit);
  let p = pending.get(key);
  if (!p) {
    p = (async () => {
      const hash = createHash('sha256');
      let size = 0;
      await pipeline(ebaZipStream(build, respondents), async (src: AsyncIterable<Buffer>) => {
        for await (const c of src) {
          hash.update(c);
          size += c.length;
        }
      });
      const f = { size, sha256: hash.digest('hex') };
      rememberZipFacts(build, respondents, f);
      return f;
    })().finally(() => pending.delete(key));
    pending.set(key, p);
  }
  return p;
}
