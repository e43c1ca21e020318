/**
 * Detector for text that points outside the repository: a sibling `shared` folder reached with `..`, an absolute
 * machine path (one that starts with a folder named work, root, home, tmp, Users or mnt), or a relative path whose
 * `..` segments climb above the repository root when read from the file's own folder. Pure: the caller supplies the
 * file names and contents.
 *
 * URLs never match: an absolute path only counts where it starts a token (line start, whitespace, a quote, a
 * bracket, `=` or `,`), so `https://host/home/x` is left alone. A line carrying the marker `outside-path-ok`
 * is skipped; it is meant for hostile test inputs (a path-traversal probe) and should say why.
 */
import path from 'node:path';

/** One reference to a path outside the repository. */
export interface OutsideRef {
  readonly file: string;
  readonly line: number;
  readonly rule: 'sibling-shared' | 'absolute-path' | 'climbs-above-root';
  readonly text: string;
}

/** The per-line opt-out marker. */
export const ALLOW_MARKER = 'outside-path-ok';

const SIBLING_SHARED = /(?:^|[^\w.-])((?:\.\.\/)+shared(?:\/|\b))/g;
const ABSOLUTE = /(?:^|[\s'"`(\[{=,<>])((?:\/(?:work|root|home|tmp|Users|mnt))\/[^\s'"`)\]},]*)/g;
const CLIMB = /(?:^|[^\w.\-~])((?:\.\.\/)*\.\.)(?=\/|$|[\s'"`)\]},;:])/g;

/** Number of folders between the repository root and the folder holding `file` (a repo-relative path). */
function depthOf(file: string): number {
  const dir = path.posix.dirname(file.split(path.sep).join('/'));
  return dir === '.' ? 0 : dir.split('/').length;
}

/** Every outside reference in one file's text. */
export function findOutsideRefs(file: string, text: string): OutsideRef[] {
  const out: OutsideRef[] = [];
  const depth = depthOf(file);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.includes(ALLOW_MARKER)) continue;
    const push = (rule: OutsideRef['rule'], t: string) => out.push({ file, line: i + 1, rule, text: t });
    for (const m of line.matchAll(SIBLING_SHARED)) push('sibling-shared', m[1]!);
    for (const m of line.matchAll(ABSOLUTE)) push('absolute-path', m[1]!);
    for (const m of line.matchAll(CLIMB)) {
      const ups = m[1]!.split('/').length;
      if (ups > depth) push('climbs-above-root', m[1]!);
    }
  }
  // A sibling shared folder reached from a shallow folder also climbs: report it once, under the more telling rule.
  const shared = new Set(out.filter((r) => r.rule === 'sibling-shared').map((r) => r.line));
  return out.filter((r) => r.rule !== 'climbs-above-root' || !shared.has(r.line));
}

/** True when the bytes look like text (no NUL in the first 8 KiB). */
export function isText(bytes: Uint8Array): boolean {
  return !bytes.subarray(0, 8192).includes(0);
}
