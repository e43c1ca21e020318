/**
 * Build the pipeline CLI for running: `src/cli.ts` → `dist/cli.js`, and `src/report-cli.ts` → `dist/report.js` (each one ES module, dependencies left as imports
 * from node_modules, with a source map so stack traces name the TypeScript lines). `npm run pipeline` builds
 * first (~0.1 s), then runs `dist/cli.js` on plain Node: no TypeScript loader in the process (tsx's loader thread
 * and compile cache cost ~10 MB of peak RSS and ~0.5 s of start-up). Tests run the same sources through tsx.
 *
 * `node scripts/build.mjs [outdir]` (default `dist`; the outdir must sit inside the repository so that the bundle
 * resolves node_modules).
 */
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.resolve(root, process.argv[2] ?? 'dist');

await build({
  entryPoints: { cli: path.join(root, 'src/cli.ts'), report: path.join(root, 'src/report-cli.ts') },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
