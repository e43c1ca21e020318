/** Injectable time: components take a `Clock` so tests never sleep for real. */
import { EtlError } from './errors.js';

export interface Clock {
  /** Epoch ms. */
  now(): number;
  /** Resolve after `ms`, or reject with `ETL_ABORTED` as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Real-time clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(t);
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** The error every aborted wait rejects with. */
export function abortError(): EtlError {
  return new EtlError('ETL_ABORTED', 'pipeline', 'aborted');
}

/** A manual clock for tests: `sleep` advances time instantly. */
export function manualClock(startMs = 0): Clock & { advance(ms: number): void } {
  let t = startMs;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw abortError();
      t += Math.max(0, ms);
    },
  };
}
