/**
 * Shared helpers of the reliability tests, one import for the test files. Not a test file.
 *
 * - `support/setup.ts`: constants, temp dirs, jobs, the simulator's ground truth, simulators
 * - `support/proxy.ts`: an arrival-logging proxy that can answer scripted 429s
 * - `support/runs.ts`: the CLI as a child process (kill -9, crash points) and in-process runs
 * - `support/fingerprint.ts`: data-directory fingerprints, the ground-truth check, fault tallies
 * - `support/crash.ts`: crash plans, crash-and-resume sequences, the ledger check
 * - `support/sim-child.ts`: the simulator in a child process (budget tests read its arrival log)
 */
export * from './support/setup.js';
export * from './support/proxy.js';
export * from './support/runs.js';
export * from './support/fingerprint.js';
export * from './support/crash.js';
export * from './support/sim-child.js';
