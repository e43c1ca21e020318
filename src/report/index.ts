/**
 * `writeReport`: warehouse (read-only) → `<outDir>/index.html`. Reads the aggregates (`read.ts`), builds the page
 * model (`sections.ts`), renders each chart to SVG one at a time (`render.ts`) and writes the page atomically
 * (temp file + rename), so a reader never sees half a page.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EtlError } from '../core/errors.js';
import { WAREHOUSE_FILE } from '../store/duckdb/warehouse.js';
import { chartsOf, renderPage } from './page.js';
import { readReportData } from './read.js';
import { renderSvg } from './render.js';
import { buildPage } from './sections.js';

export interface ReportOptions {
  dataDir: string;
  outDir: string;
  /** Epoch ms clock (tests pin it). */
  now?: () => number;
}

export interface ReportResult {
  file: string;
  bytes: number;
  charts: number;
  simulated: boolean;
}

export const REPORT_FILE = 'index.html';

export async function writeReport(opts: ReportOptions): Promise<ReportResult> {
  const data = await readReportData(opts.dataDir, opts.now);
  const model = buildPage(data, path.join(opts.dataDir, WAREHOUSE_FILE));
  const svgs = new Map<string, string>();
  for (const chart of chartsOf(model)) {
    try {
      svgs.set(chart.id, await renderSvg(chart.spec));
    } catch (e) {
      throw new EtlError('ETL_INTERNAL', 'report', `chart ${chart.id} failed to render: ${(e as Error).message}`, { cause: e });
    }
  }
  const page = renderPage(model, (id) => svgs.get(id) ?? '');
  const file = path.join(opts.outDir, REPORT_FILE);
  try {
    await mkdir(opts.outDir, { recursive: true });
    const tmp = path.join(opts.outDir, `.${REPORT_FILE}.${process.pid}.tmp`);
    await writeFile(tmp, page);
    await rename(tmp, file);
  } catch (e) {
    throw new EtlError('ETL_SINK_WRITE', 'report', `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  return { file, bytes: Buffer.byteLength(page), charts: svgs.size, simulated: model.simulated !== null };
}
