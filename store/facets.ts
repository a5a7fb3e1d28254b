/**
 * Facet helpers shared by both article stores: the order and cut of a facet list, and the fold of per-outlet
 * counts into the `country` and `tag` facets through the catalog's outlet groups.
 */
import { ValidationError } from '../core/errors.ts';
import type { FacetCount, FacetField, OutletGroups, SearchFacets } from './article-store.ts';

/** @defaultValue of SearchOptions.facetLimit */
export const DEFAULT_FACET_LIMIT = 10;
export const MAX_FACET_LIMIT = 1000;

/** Most frequent first, ties by value in code-unit order: the same order as the stores' own SQL and aggregations. */
export function compareFacetCounts(a: FacetCount, b: FacetCount): number {
  return b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
}

/** Sorted and cut at `limit`. */
export function topFacetCounts(counts: Iterable<FacetCount>, limit: number): FacetCount[] {
  return [...counts].sort(compareFacetCounts).slice(0, limit);
}

/** The facet limit of a search, validated. */
export function facetLimitOf(limit: number | undefined): number {
  const n = limit ?? DEFAULT_FACET_LIMIT;
  if (!Number.isInteger(n) || n < 1 || n > MAX_FACET_LIMIT) {
    throw new ValidationError('invalid_limit', `article-store: facetLimit must be an integer in 1..${MAX_FACET_LIMIT}`);
  }
  return n;
}

/** Whether the requested facets need every outlet's count (not only the top ones). */
export function needsAllOutlets(fields: readonly FacetField[]): boolean {
  return fields.includes('country') || fields.includes('tag');
}

/**
 * Folds complete per-outlet counts into country and tag counts. An article has one outlet, so summing its
 * outlet's count into each of the outlet's tags counts every article once per tag, exactly.
 */
export function foldOutletCounts(
  outletCounts: readonly FacetCount[],
  groups: OutletGroups | undefined,
): { country: FacetCount[]; tag: FacetCount[] } {
  const country = new Map<string, number>();
  const tag = new Map<string, number>();
  for (const { value, count } of outletCounts) {
    const group = groups?.get(value);
    if (!group) continue;
    if (group.country) country.set(group.country, (country.get(group.country) ?? 0) + count);
    for (const t of new Set(group.tags)) tag.set(t, (tag.get(t) ?? 0) + count);
  }
  const list = (m: Map<string, number>): FacetCount[] => [...m].map(([value, count]) => ({ value, count }));
  return { country: list(country), tag: list(tag) };
}

/**
 * The facets of a search from the counts a store computed: `direct` holds outlet (complete when country or tag
 * were asked for), language, actor and theme counts. Returns only the requested fields, each sorted and cut.
 */
export function assembleFacets(
  fields: readonly FacetField[],
  direct: Partial<Record<'outlet' | 'language' | 'actor' | 'theme', FacetCount[]>>,
  groups: OutletGroups | undefined,
  limit: number,
  /** Complete counts of the outlets in `groups`, when they come apart from `direct.outlet`. */
  groupOutletCounts: readonly FacetCount[] = direct.outlet ?? [],
): SearchFacets {
  const out: SearchFacets = {};
  const folded = needsAllOutlets(fields) ? foldOutletCounts(groupOutletCounts, groups) : null;
  for (const field of new Set(fields)) {
    const counts = field === 'country' || field === 'tag' ? (folded?.[field] ?? []) : (direct[field] ?? []);
    out[field] = topFacetCounts(counts, limit);
  }
  return out;
}
