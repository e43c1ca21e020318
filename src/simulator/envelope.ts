/**
 * Byte-faithful envelopes (docs/eia-api.md §7, §15.6): compact JSON, no trailing newline, PHP-escaped slashes,
 * `total` and `value` as strings (numbers in 2023 mode), the truncation warning where `warnPlacement` says, and the
 * request echo.
 */
import { WARNINGS_JSON } from './messages.js';
import type { ResolvedOptions } from './options.js';
import { phpJson } from './series.js';

/** apiVersion sent in every envelope (the recordings' version). */
export const API_VERSION = '2.1.8';
/** ExcelAddInVersion sent unless `omitExcelAddInVersion`. */
export const EXCEL_ADD_IN_VERSION = '2.1.0';

const DATE_FORMAT = {
  hourly: '"YYYY-MM-DD\\"T\\"HH24"',
  'local-hourly': '"YYYY-MM-DD\\"T\\"HH24TZH"',
} as const;

/** `"\/v2\/electricity\/rto\/<route>\/data\/"`-style command string (JSON, escaped). */
export function commandJson(path: string): string {
  return phpJson(path);
}

/** The params echo as PHP would encode it. */
export function paramsJson(params: Record<string, unknown>): string {
  return JSON.stringify(params).replace(/\//g, '\\/');
}

/** `,"request":{…},"apiVersion":…,"ExcelAddInVersion":…}`: the common tail of every envelope. */
export function envelopeTail(command: string, params: Record<string, unknown>, opts: ResolvedOptions): string {
  return `,"request":{"command":${commandJson(command)},"params":${paramsJson(params)}},"apiVersion":"${API_VERSION}"` +
    (opts.omitExcelAddInVersion ? '' : `,"ExcelAddInVersion":"${EXCEL_ADD_IN_VERSION}"`) + '}';
}

/** The facts of one data page. `rowsJson` is the comma-joined row objects. */
export interface DataPage {
  total: number;
  frequency: 'hourly' | 'local-hourly';
  rowsJson: string;
  description: string;
  command: string;
  params: Record<string, unknown>;
  warn: boolean;
}

/** Build a data response body (a string; callers convert once to bytes). */
export function dataEnvelope(p: DataPage, opts: ResolvedOptions): string {
  const legacy = opts.compatMode === '2023';
  const inside = legacy || opts.warnPlacement === 'inside-response';
  const total = legacy ? String(p.total) : `"${p.total}"`;
  const response = '{' + (inside && p.warn ? `"warnings":${WARNINGS_JSON},` : '') + `"total":${total},"dateFormat":${DATE_FORMAT[p.frequency]},"frequency":"${p.frequency}","data":[` +
    p.rowsJson + `],"description":${phpJson(p.description)}}`;
  let head: string;
  if (inside) head = '{"response":';
  else if (opts.warnPlacement === 'root-null-when-none') head = `{"warnings":${p.warn ? WARNINGS_JSON : 'null'},"response":`;
  else head = p.warn ? `{"warnings":${WARNINGS_JSON},"response":` : '{"response":';
  return head + response + envelopeTail(p.command, p.params, opts);
}

/** Wrap a metadata `response` object (already JSON) in the envelope. */
export function metadataEnvelope(responseJson: string, command: string, params: Record<string, unknown>, opts: ResolvedOptions): string {
  return `{"response":${responseJson}` + envelopeTail(command, params, opts);
}
