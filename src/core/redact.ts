/** Key redaction: the API key travels in the request URL only and is replaced everywhere else. */

export const REDACTED = 'REDACTED';

/** Replace the `api_key` query value of a URL (encoded or not) by `REDACTED`. */
export function redactUrl(url: string): string {
  // Stop at anything that cannot be part of a key, so a URL inside JSON or prose keeps its surroundings.
  return url.replace(/([?&]api_key=)[^&#\s"'<>()[\]{},;]*/gi, `$1${REDACTED}`);
}

/**
 * Replace every occurrence of `key` in `body` by `REDACTED` (the response echoes it in `request.params.api_key`).
 * Returns the same buffer when the key does not occur. Works on bytes: keys are ASCII letters and digits.
 */
export function redactBody(body: Buffer, key: string | undefined): Buffer {
  if (!key) return body;
  let at = body.indexOf(key);
  if (at < 0) return body;
  const parts: Buffer[] = [];
  let from = 0;
  const repl = Buffer.from(REDACTED);
  while (at >= 0) {
    parts.push(body.subarray(from, at), repl);
    from = at + key.length;
    at = body.indexOf(key, from);
  }
  parts.push(body.subarray(from));
  return Buffer.concat(parts);
}

/** Replace `key` in any string (log lines, error messages). */
export function redactText(text: string, key: string | undefined): string {
  return key ? text.split(key).join(REDACTED) : text;
}
