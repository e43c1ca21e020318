/**
 * The simulator in a CHILD process, for budget tests: its arrival stamps are taken on its own event loop, so the
 * test's (and the pipeline's) work cannot bunch them. Arrivals are read back from its JSONL request log.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { RequestLogEntry } from '../../../src/simulator/index.js';
import { KEY, REPO, SIM_NOW } from './setup.js';

/** A running simulator child. */
export interface SimChild {
  readonly baseUrl: string;
  /** Entries of the request log so far (arrival `t`, status, fault). */
  entries(): Promise<RequestLogEntry[]>;
  stop(): Promise<void>;
}

/** Start `src/simulator/cli.ts` with the reliability key, the fixed simulated now, a request log and `flags`. */
export async function startSimChild(requestLog: string, flags: readonly string[] = []): Promise<SimChild> {
  const args = ['--import', 'tsx', 'src/simulator/cli.ts', '--port', '0', '--seed', '8', '--keys', KEY, '--now', String(SIM_NOW), '--request-log', requestLog, ...flags];
  const proc = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  const rl = createInterface({ input: proc.stdout });
  const line = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve);
    proc.once('exit', (c) => reject(new Error(`simulator exited with ${c} before listening`)));
  });
  rl.close();
  proc.stdout.resume();
  const m = /listening on (http:\/\/\S+)/.exec(line);
  if (!m) {
    proc.kill('SIGKILL');
    throw new Error(`simulator: unexpected first line: ${line}`);
  }
  const exited = new Promise<void>((resolve) => (proc.exitCode !== null ? resolve() : proc.once('exit', () => resolve())));
  return {
    baseUrl: m[1],
    async entries() {
      const text = await readFile(requestLog, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as RequestLogEntry);
    },
    async stop() {
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    },
  };
}
