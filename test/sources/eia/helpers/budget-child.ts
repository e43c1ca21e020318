/**
 * A process that makes N starts through a limiter on a shared budget record (argv: file, N), for the
 * several-processes test. Each start "sends" at once.
 */
import { openBudgetRecord } from '../../../../src/sources/eia/budget-record.js';
import { createRateLimiter } from '../../../../src/sources/eia/rate-limiter.js';

const [file, n] = process.argv.slice(2);
const record = openBudgetRecord(file, { horizonMs: 3_601_000 });
const limiter = createRateLimiter({ requestsPerSecond: 5, requestsPerHour: 5000, record });
void Promise.all(Array.from({ length: Number(n) }, () => limiter.schedule(async (markSent) => markSent())))
  .then(() => record.close())
  .then(() => process.exit(0), (e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  });
