/** Worker-thread entry of the built-in simulator (see builtin-simulator.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { startSimulator } from '../simulator/index.js';

const port = parentPort!;
try {
  const sim = await startSimulator((workerData as { opts: object }).opts);
  port.postMessage({ baseUrl: sim.baseUrl });
  port.on('message', (m) => {
    if (m === 'close') void sim.close().then(() => process.exit(0));
  });
} catch (e) {
  port.postMessage({ error: (e as Error).message });
}
