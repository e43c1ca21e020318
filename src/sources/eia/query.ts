/**
 * The wire form of a data request (docs/eia-api.md §5.1), built in one place. Pure.
 *
 * Every request carries `frequency=hourly`, `data[0]=value`, the facet filters, explicit hour bounds
 * (`start=<startMs>`, `end=<endMs − 1 h>`, both inclusive at the API), the full sort (`period` asc, then both
 * facet columns of the route asc, so ties are impossible and offsets are stable), `length`, `offset` and finally
 * `api_key`. Brackets are percent-encoded as in the recordings.
 */
import { DATASET_INFO, type Dataset, type RecordDataset } from '../../core/catalog.js';
import { HOUR_MS, formatHourStamp } from '../../core/time.js';

/** One query: a route, facet filters and a half-open window of period stamps. */
export interface EiaQuery {
  readonly dataset: Dataset;
  /** Facet id → codes (OR within a facet, AND across facets). An empty or absent facet is not filtered. */
  readonly facets: Readonly<Record<string, readonly string[]>>;
  /** First period stamp, epoch ms, whole UTC hour, inclusive. */
  readonly startMs: number;
  /** End of the window, epoch ms, whole UTC hour, exclusive. */
  readonly endMs: number;
}

const enc = (s: string) => encodeURIComponent(s);

/**
 * Query-string pairs of a data request, in send order, WITHOUT the key.
 * Facet ids follow the route's facet order; codes are sent sorted ascending.
 */
export function dataParams(q: EiaQuery, offset: number, length: number): Array<[string, string]> {
  const info = DATASET_INFO[q.dataset];
  const p: Array<[string, string]> = [
    ['frequency', 'hourly'],
    ['data[0]', 'value'],
  ];
  const ids = [...info.facets, ...Object.keys(q.facets).filter((k) => !info.facets.includes(k)).sort()];
  for (const id of ids) for (const code of [...(q.facets[id] ?? [])].sort()) p.push([`facets[${id}][]`, code]);
  p.push(['start', formatHourStamp(q.startMs)], ['end', formatHourStamp(q.endMs - HOUR_MS)]);
  ['period', ...info.facets].forEach((col, i) => {
    p.push([`sort[${i}][column]`, col], [`sort[${i}][direction]`, 'asc']);
  });
  p.push(['length', String(length)], ['offset', String(offset)]);
  return p;
}

/**
 * Full request URL of one data page: `<baseUrl>/<route>/data/?…&api_key=<key>`. The result contains the key:
 * hand it only to the HTTP transport; keep `redactUrl(url)` everywhere else.
 */
export function dataUrl(baseUrl: string, q: EiaQuery, offset: number, length: number, apiKey: string): string {
  const qs = [...dataParams(q, offset, length), ['api_key', apiKey] as [string, string]]
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .join('&');
  return `${baseUrl.replace(/\/+$/, '')}/${DATASET_INFO[q.dataset].route}/data/?${qs}`;
}

/** Natural key of a row of `dataset` (period + both facet codes), for duplicate detection across pages. */
export function rowKeyOf(dataset: RecordDataset): (row: Record<string, unknown>) => string {
  const [a, b] = DATASET_INFO[dataset].facets;
  return (row) => `${String(row.period)}|${String(row[a])}|${String(row[b])}`;
}
