/**
 * The one function through which the source parses a page body: `parsePage` of `transforms/parse-json.ts`
 * (pure; `ETL_BODY_MALFORMED` for non-JSON/HTML/wrong shape; for a body with an `error` key the matching code —
 * `ETL_API_KEY_INVALID`, `ETL_API_KEY_MISSING`, `ETL_RATE_LIMITED`, `ETL_BAD_REQUEST`, `ETL_NOT_FOUND`, else
 * `ETL_HTTP_STATUS` — with `details.apiCode`).
 */
export { parsePage as parseEnvelope } from '../../transforms/parse-json.js';
