/**
 * The built-in simulator for runs without `EIA_API_KEY`: started in a worker thread so it serves on the second
 * core instead of competing with the pipeline's event loop, and dies with the process (even on kill -9).
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { EtlError } from '../core/errors.js';

export interface BuiltinSimulator {
  readonly baseUrl: string;
  /** A key the simulator accepts (random per run; never stored). */
  readonly apiKey: string;
  close(): Promise<void>;
}

/** Options forwarded to `startSimulator` inside the worker (must be structured-cloneable). */
export type WorkerSimulatorOptions = Record<string, unknown>;

/** Start the simulator in a worker thread on an ephemeral loopback port. */
export async function startBuiltinSimulator(opts: WorkerSimulatorOptions = {}): Promise<BuiltinSimulator> {
  const apiKey = randomBytes(20).toString('hex').toUpperCase();
  const entry = new URL('./simulator-worker.ts', import.meta.url);
  const worker = new Worker(bootstrapUrl(entry), { workerData: { opts: { ...opts, keys: [apiKey] } } });
  worker.unref();
  const baseUrl = await new Promise<string>((resolve, reject) => {
    worker.once('message', (m: { baseUrl?: string; error?: string }) =>
      m.baseUrl ? resolve(m.baseUrl) : reject(new EtlError('ETL_INTERNAL', 'simulator', `simulator failed: ${m.error}`)),
    );
    worker.once('error', (e) => reject(new EtlError('ETL_INTERNAL', 'simulator', `simulator failed: ${e.message}`)));
  });
  return {
    baseUrl,
    apiKey,
    close: async () => {
      worker.postMessage('close');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => void worker.terminate().then(() => resolve()), 2000);
        worker.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    },
  };
}

/** A data: URL module that registers tsx (when running from TypeScript sources) and imports `entry`. */
function bootstrapUrl(entry: URL): URL {
  const require = createRequire(import.meta.url);
  let register = '';
  if (entry.pathname.endsWith('.ts')) {
    const api = require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
    register = `import { register } from ${JSON.stringify(new URL(`file://${api}`).href)}; register();`;
  }
  return new URL(`data:text/javascript,${encodeURIComponent(`${register} await import(${JSON.stringify(entry.href)});`)}`);
}
