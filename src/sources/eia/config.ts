/**
 * Configuration of the EIA source: one zod schema, a description and a default per field. The CLI's
 * config (src/config/schema.ts) takes its defaults for the fields it exposes from here and reads the environment;
 * components never read `process.env`.
 */
import { z } from 'zod';
import { configError } from '../../core/errors.js';
import { DEFAULT_LIMITER_MARGIN_MS } from './rate-limiter.js';

/** The API's hard cap on rows per JSON response (docs/eia-api.md §6.1). */
export const EIA_MAX_PAGE_SIZE = 5000;

/** EIA's API root; `EIA_BASE_URL` (read by the CLI's config) points a run elsewhere. */
export const EIA_BASE_URL = 'https://api.eia.gov/v2';

/** Default of both the header wait and the body silence; the CLI's one `--timeout-ms` sets both. */
const DEFAULT_TIMEOUT_MS = 30_000;

const positiveInt = () => z.number().int().positive();

/** Retry policy (see `retry.ts` for the table of what is retried). */
export const RetryPolicySchema = z
  .object({
    maxAttempts: positiveInt().default(8).describe('Attempts per request including the first (each goes through the limiter).'),
    baseDelayMs: positiveInt().default(500).describe('Backoff base: attempt n waits uniform(0, min(maxDelayMs, baseDelayMs·2^(n−1))) ms.'),
    maxDelayMs: positiveInt().default(30_000).describe('Cap of one backoff delay and of an honoured Retry-After, ms.'),
    suspensionCooldownMs: positiveInt()
      .default(60_000)
      .describe('Wait after a 403 that follows an earlier success (a temporary key suspension), ms.'),
    maxSuspensionMs: positiveInt()
      .default(2 * 3_600_000)
      .describe('Longest total wait for a suspended key in one request before the run fails, ms (EIA: suspensions end within an hour).'),
  })
  .strict();

/** Retry policy with defaults applied. */
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

/** The EIA source's settings. */
export const EiaSourceConfigSchema = z
  .object({
    baseUrl: z
      .string()
      .url()
      .default(EIA_BASE_URL)
      .describe('API root up to and including `/v2` (no trailing slash needed); the simulator prints its own.'),
    apiKey: z
      .string()
      .min(1)
      .describe('EIA API key. Sent only as `api_key=` in request URLs; redacted in everything kept or logged.'),
    pageSize: positiveInt().max(EIA_MAX_PAGE_SIZE).default(EIA_MAX_PAGE_SIZE).describe('Rows per request (`length`), ≤ 5,000.'),
    connectTimeoutMs: positiveInt().default(10_000).describe('TCP/TLS connect timeout, ms.'),
    headersTimeoutMs: positiveInt().default(DEFAULT_TIMEOUT_MS).describe('Time from sending a request until the response headers arrive, ms.'),
    bodyTimeoutMs: positiveInt().default(DEFAULT_TIMEOUT_MS).describe('Longest silence while the body streams in, ms.'),
    maxBodyBytes: positiveInt().default(32 * 1024 * 1024).describe('Largest body accepted (on the wire and decoded), bytes.'),
    requestsPerHour: positiveInt()
      .nullable()
      .default(5000)
      .describe('Requests per rolling 3,600 s per key, retries and probes included; null = no hourly limit (benchmarks).'),
    requestsPerSecond: positiveInt()
      .nullable()
      .default(5)
      .describe('Requests per rolling second per key; null = no per-second limit (benchmarks).'),
    // 8, not 5: at EIA's ~1.2 s per response, 5 in flight cap throughput at 4.2 req/s, below the 5/s budget
    // (Little's law); the limiter, not the concurrency, keeps the key within 5/s (docs/decisions.md, decision 3).
    concurrency: positiveInt().max(64).default(8).describe('Requests in flight at once.'),
    limiterMarginMs: z
      .number()
      .int()
      .nonnegative()
      .default(DEFAULT_LIMITER_MARGIN_MS)
      .describe('Safety margin added to both rolling windows for differences in network delay, ms (5/s becomes 5 per 1.05 s).'),
    retry: RetryPolicySchema.default({}).describe('Retry policy.'),
    maxUnitRows: positiveInt().default(150_000).describe('Planner: most rows one work unit may hold (150,000 = 30 full pages).'),
    maxBufferedPages: positiveInt()
      .optional()
      .describe('Pages fetched or in flight that the consumer has not pulled yet; default concurrency + 2.'),
    maxReadyPages: positiveInt()
      .default(2)
      .describe('No new request starts while this many fetched pages wait for the consumer (it is the slower side).'),
  })
  .strict();

/** Input form (defaults optional). */
export type EiaSourceConfigInput = z.input<typeof EiaSourceConfigSchema>;
/** Parsed form: every default applied, `maxBufferedPages` resolved. */
export type EiaSourceConfig = Readonly<Omit<z.infer<typeof EiaSourceConfigSchema>, 'maxBufferedPages'> & { maxBufferedPages: number }>;

/**
 * Validate and complete a config. Idempotent (a parsed config parses to itself).
 * @throws EtlError `ETL_CONFIG_INVALID`, one line naming the field and the problem; never the key's value.
 */
export function parseEiaSourceConfig(input: EiaSourceConfigInput): EiaSourceConfig {
  const r = EiaSourceConfigSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw configError(`eia.${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const c = r.data;
  const maxBufferedPages = c.maxBufferedPages ?? c.concurrency + 2;
  if (maxBufferedPages < 1) throw configError('eia.maxBufferedPages: must be ≥ 1');
  return Object.freeze({ ...c, baseUrl: c.baseUrl.replace(/\/+$/, ''), retry: Object.freeze({ ...c.retry }), maxBufferedPages });
}
