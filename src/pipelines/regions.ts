/**
 * `--regions` resolved before anything is planned or written: checked against the API's respondent facet lists
 * (with a key; one request per route, cached in the warehouse for a day) or the offline respondent table (the
 * built-in simulator serves exactly that table), and the shorthands `ALL` and `REGIONS` expanded to codes.
 * When a lookup fails the offline table stands in, with one warning.
 */
import type { PipelineConfig } from '../config.js';
import { configError, isEtlError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { DATASET_INFO, type Dataset } from '../core/catalog.js';
import { checkRegionCodes, expandRegions, offlineRespondents, type KnownRespondent } from '../core/region-selection.js';
import { FACET_CACHE_MAX_AGE_MS, readFacetCache, type FacetList } from '../store/duckdb/facet-cache.js';
import { fetchRespondentFacet } from '../sources/eia/facets.js';
import type { EiaClient } from '../sources/eia/client.js';
import { selectionsFor } from './selections.js';

export interface ResolvedRegions {
  /** The config with `regions` as codes (shorthands expanded). */
  readonly config: PipelineConfig;
  /** Lists fetched from the API in this resolution, to be stored in the warehouse's cache by a run that writes. */
  readonly fetched: readonly FacetList[];
  /** Where the accepted codes came from: `api`, `cache`, `offline`, or a mix (`api+cache`). */
  readonly authority: string;
}

export interface ResolveDeps {
  /** The key's client (null without a key: the offline table decides). */
  readonly client: EiaClient | null;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  readonly now: () => number;
}

/** Routes the config's types query, in selection order. */
function routesOf(config: PipelineConfig): Dataset[] {
  return selectionsFor(config.types, ['X']).map((s) => s.dataset);
}

/** Resolve `config.regions`. Throws `ETL_CONFIG_INVALID` (one line) for an unknown code or an empty expansion. */
export async function resolveRegions(config: PipelineConfig, deps: ResolveDeps): Promise<ResolvedRegions> {
  let known: KnownRespondent[];
  const fetched: FacetList[] = [];
  const sources = new Set<string>();
  if (!deps.client) {
    known = offlineRespondents();
    sources.add('offline');
  } else {
    const cache = await readFacetCache(config.dataDir);
    const byCode = new Map<string, KnownRespondent>();
    let failed: unknown = null;
    let keyRefused = false;
    for (const dataset of routesOf(config)) {
      const route = DATASET_INFO[dataset].route;
      const hit = cache.get(route);
      let list: readonly KnownRespondent[] | null = null;
      if (hit && deps.now() - hit.fetchedAtMs < FACET_CACHE_MAX_AGE_MS) {
        list = hit.respondents;
        sources.add('cache');
      } else {
        try {
          list = await fetchRespondentFacet(deps.client, dataset, deps.signal);
          fetched.push({ route, fetchedAtMs: deps.now(), respondents: list });
          sources.add('api');
        } catch (e) {
          if (isEtlError(e, 'ETL_ABORTED')) throw e;
          if (isEtlError(e, 'ETL_API_KEY_INVALID') || isEtlError(e, 'ETL_API_KEY_MISSING')) {
            // plan records nothing, so it reports the refusal now; a fetching run goes on to record it as failed (the
            // client sends nothing more with a refused key, so the run fails on its first page without a request).
            if (config.command === 'plan') throw e;
            keyRefused = true;
            break;
          }
          failed ??= e;
          list = hit?.respondents ?? null; // a stale list still beats none
          if (list) sources.add('stale cache');
        }
      }
      for (const r of list ?? []) if (!byCode.has(r.code)) byCode.set(r.code, r);
    }
    if (failed || keyRefused) {
      if (failed) {
        deps.logger.warn(
          `--regions: EIA's respondent list could not be fetched (${isEtlError(failed) ? failed.code : String(failed)}); ` +
            'checking the codes against the offline table instead',
        );
      }
      for (const r of offlineRespondents()) if (!byCode.has(r.code)) byCode.set(r.code, r);
      sources.add('offline');
    }
    known = [...byCode.values()];
    checkRegionCodes(config.regions, known);
  }
  const regions = expandRegions(config.regions, known, config.types, config.startMs, config.endMs);
  if (regions.length === 0) {
    throw configError(`--regions ${config.regions.join(',')}: no balancing authority has ${config.types.join(', ')} data in the requested range`);
  }
  if (regions.length !== config.regions.length || regions.some((r, i) => r !== config.regions[i])) {
    deps.logger.info({ regions: regions.length }, `--regions ${config.regions.join(',')} → ${regions.join(',')}`);
  }
  const resolved = Object.freeze({ ...config, regions: Object.freeze(regions) }) as PipelineConfig;
  return { config: resolved, fetched, authority: [...sources].join('+') };
}
