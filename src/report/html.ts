/**
 * HTML text helpers of the report: escaping, number and time formats, tables. Pure. Every value that came from
 * the warehouse goes through `esc` (respondent names, reasons and run errors are data, not markup).
 */

/** Escape text for HTML content and double-quoted attributes. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Shown for a figure the warehouse does not hold. */
export const NONE = '—';

/** Whole number with thousands separators, or "—". */
export function int(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NONE : Math.round(n).toLocaleString('en-US');
}

/** Percentage with `digits` decimals, or "—". */
export function pct(n: number | null | undefined, digits = 1): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NONE : `${(n * 100).toFixed(digits)}%`;
}

/** Epoch ms → `YYYY-MM-DD HH:mm` UTC. */
export function utc(ms: number | null | undefined): string {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? NONE : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}`;
}

/** Epoch ms of an hour-ending stamp → EIA's `YYYY-MM-DDTHH`. */
export function hourStamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13);
}

/** Milliseconds → `1 h 02 min`, `3 min 05 s` or `12.3 s`. */
export function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return NONE;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** A table cell: text (escaped) or `{ html }` (already markup); `num` right-aligns it. */
export type Cell = string | number | { html: string; num?: boolean; cls?: string };

/** A `<table>` with a header row. Numbers are right-aligned. */
export function table(headers: readonly string[], rows: readonly (readonly Cell[])[], caption?: string): string {
  const td = (c: Cell) => {
    if (typeof c === 'number') return `<td class="num">${int(c)}</td>`;
    if (typeof c === 'string') return `<td>${esc(c)}</td>`;
    const cls = [c.num ? 'num' : '', c.cls ?? ''].filter(Boolean).join(' ');
    return `<td${cls ? ` class="${cls}"` : ''}>${c.html}</td>`;
  };
  return [
    '<div class="table-wrap"><table>',
    caption ? `<caption>${esc(caption)}</caption>` : '',
    `<thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.map((r) => `<tr>${r.map(td).join('')}</tr>`).join('')}</tbody>`,
    '</table></div>',
  ].join('');
}
