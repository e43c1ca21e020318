/**
 * The bulk bench's `EBA.zip`: the simulator's file (`src/simulator/bulk-zip.ts`, the same generator as its API and
 * its ground truth), written once to `bench/results/` (git-ignored) and reused. Generating the whole universe takes
 * minutes on one core, and every figure of the bulk section must be taken on the same bytes, so the file is cached
 * by what determines its bytes: the simulated build hour and the respondents it holds.
 *
 * `npx tsx bench/lib/eba-file.ts <name> <nowMs> <respondents|*>` generates one file in a child process (the bench
 * runs it so that the generator's memory and CPU are not the bench's) and prints its facts as JSON.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { ebaBuildAt } from '../../src/simulator/bulk-eba.js';
import { ebaZipStream } from '../../src/simulator/bulk-zip.js';
import { ROOT, runNodeChild } from './proc.js';

/** What a cached file holds and cost to make. */
export interface EbaFileFacts {
  file: string;
  /** The simulated now the file was built at (its newest hour is the hour before). */
  nowMs: number;
  /** null = every respondent the simulator knows. */
  respondents: string[] | null;
  zipBytes: number;
  sha256: string;
  /** Seconds the generation took (one core), when this bench generated it. */
  generatedSec: number;
}

const RESULTS = path.join(ROOT, 'bench', 'results');

/** `bench/results/eba-<name>-<YYYYMMDDTHH>.zip`. */
export function ebaFilePath(name: string, nowMs: number): string {
  const hour = new Date(nowMs).toISOString().slice(0, 13).replace(/[-:]/g, '');
  return path.join(RESULTS, `eba-${name}-${hour}.zip`);
}

/** Write the zip of the build at `nowMs` for `respondents` to `file` (through a temp name), with a facts sidecar. */
async function generate(file: string, nowMs: number, respondents: string[] | null): Promise<EbaFileFacts> {
  const t0 = performance.now();
  const build = ebaBuildAt({ nowMs }, nowMs);
  const hash = createHash('sha256');
  let bytes = 0;
  const tmp = `${file}.tmp`;
  await pipeline(
    ebaZipStream(build, respondents ? new Set(respondents) : null),
    new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        bytes += chunk.length;
        cb(null, chunk);
      },
    }),
    createWriteStream(tmp),
  );
  await rename(tmp, file);
  const facts: EbaFileFacts = {
    file: path.relative(ROOT, file),
    nowMs,
    respondents,
    zipBytes: bytes,
    sha256: hash.digest('hex'),
    generatedSec: Math.round((performance.now() - t0) / 100) / 10,
  };
  await writeFile(`${file}.json`, `${JSON.stringify(facts, null, 2)}\n`);
  return facts;
}

/**
 * The cached file `name` built at `nowMs` for `respondents`, generated in a child process when missing (or when
 * its sidecar disagrees). `generatedSec` is 0 when the file was reused.
 */
export async function ensureEbaFile(name: string, nowMs: number, respondents: string[] | null): Promise<EbaFileFacts & { reused: boolean }> {
  const file = ebaFilePath(name, nowMs);
  const want = respondents ? [...respondents].sort() : null;
  try {
    const facts = JSON.parse(await readFile(`${file}.json`, 'utf8')) as EbaFileFacts;
    const st = await stat(file);
    if (facts.nowMs === nowMs && JSON.stringify(facts.respondents) === JSON.stringify(want) && st.size === facts.zipBytes) return { ...facts, reused: true };
  } catch {
    // not cached yet
  }
  const run = await runNodeChild<EbaFileFacts>('bench/lib/eba-file.ts', [name, String(nowMs), want ? want.join(',') : '*']);
  return { ...run.result, reused: false };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [name, now, who] = process.argv.slice(2);
  if (!name || !now || !who) throw new Error('usage: eba-file.ts <name> <nowMs> <respondents|*>');
  const nowMs = Number(now);
  const facts = await generate(ebaFilePath(name, nowMs), nowMs, who === '*' ? null : who.split(',').sort());
  process.stdout.write(`${JSON.stringify(facts)}\n`);
}
