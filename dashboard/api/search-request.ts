/**
 * What /api/search and /api/export share: the query text plus filter parameters turned into one query AST
 * (resolved against the catalog like the query's own fields), the outlet groups facets fold through, and the
 * display labels of facet values.
 */
import { ValidationError } from '../../core/errors.ts';
import type { QueryNode } from '../../core/query/ast.ts';
import type { Outlet } from '../../core/types.ts';
import { FACET_FIELDS, type DateRange, type FacetField, type OutletGroups, type SearchFacets } from '../../store/article-store.ts';
import { parseOutlets, parseRange, parseUserQuery } from './params.ts';
import type { CatalogLookup } from './resolve-query.ts';
import type { AppliedFilters, FacetValueView } from './schemas.ts';

/** The query and filter parameters of a search or an export, as validated by the zod schema. */
export interface SearchParams {
  q: string;
  from?: string | undefined;
  to?: string | undefined;
  outlet?: string | undefined;
  lang?: string | undefined;
  actor?: string | undefined;
  theme?: string | undefined;
  collection?: string | undefined;
  country?: string | undefined;
}

/** A search ready for the store: the combined AST, the date range, the outlet restriction, and what was applied. */
export interface ResolvedSearch {
  query: QueryNode;
  range: DateRange;
  outlets: string[] | undefined;
  filters: AppliedFilters;
}

function listOf(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [...new Set(value.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
}

function unknown(param: string, value: string): ValidationError {
  return new ValidationError(`unknown_${param}`, `${param}: no ${param} "${value}" in the catalog`, { details: { param } });
}

const anyOf = (nodes: QueryNode[]): QueryNode => (nodes.length === 1 ? (nodes[0] ?? { kind: 'or', children: [] }) : { kind: 'or', children: nodes });

/**
 * Parses `q` and ANDs one OR-group per filter parameter to it: `lang=ru,uk` is `(lang:ru OR lang:uk)`, `actor=`
 * and `theme=` resolve names and aliases to ids, `collection=` and `country=` expand to the outlets that have them.
 * `outlet=` stays a store-level restriction (as before); `from`/`to` become the store's date range.
 * @throws ValidationError naming the parameter for a query error, a bad date or an unknown name
 */
export function resolveSearch(params: SearchParams, lookup: CatalogLookup): ResolvedSearch {
  const parsed = parseUserQuery(params.q, lookup, 'q');
  const { range } = parseRange(params.from, params.to);
  const outlets = parseOutlets(params.outlet, lookup);
  const filters: AppliedFilters = {};
  if (range.from !== undefined) filters.from = range.from;
  if (range.to !== undefined) filters.to = range.to;
  if (outlets !== undefined) filters.outlet = outlets;
  const groups: QueryNode[] = [];

  const langs = listOf(params.lang).map((v) => lookup.resolve('lang', v) ?? v.toLowerCase());
  if (langs.length > 0) {
    filters.lang = langs;
    groups.push(anyOf(langs.map((value) => ({ kind: 'tag', field: 'lang', value }))));
  }
  for (const field of ['actor', 'theme'] as const) {
    const ids = listOf(params[field]).map((v) => {
      const id = lookup.resolve(field, v);
      if (id === null) throw unknown(field, v);
      return id;
    });
    if (ids.length === 0) continue;
    filters[field] = [...new Set(ids)];
    groups.push(anyOf(filters[field].map((value) => ({ kind: 'tag', field, value }))));
  }
  for (const field of ['collection', 'country'] as const) {
    const values = listOf(params[field]);
    if (values.length === 0) continue;
    const outletIds = new Set<string>();
    for (const v of values) {
      const ids = lookup.resolve.outletGroup?.(field, v) ?? null;
      if (ids === null || ids.length === 0) throw unknown(field, v);
      for (const id of ids) outletIds.add(id);
    }
    filters[field] = values;
    groups.push(anyOf([...outletIds].sort().map((value) => ({ kind: 'tag', field: 'outlet', value }))));
  }
  // No filter: the parsed AST itself, so a plain search compiles exactly as before.
  const query: QueryNode = groups.length === 0 ? parsed : { kind: 'and', children: [parsed, ...groups] };
  return { query, range, outlets, filters };
}

/** Outlet id -> country and tags, from the catalog: what the country and tag facets fold outlet counts into. */
export function outletGroupsOf(outlets: readonly Outlet[]): OutletGroups {
  return new Map(outlets.map((o) => [o.id, { country: o.country, tags: o.tags }]));
}

/**
 * The facet fields of a request: the `facets` parameter, or (absent) every facet on a first page and none on a
 * later one, which only continues the same result set.
 */
export function facetFieldsOf(param: string | undefined, hasCursor: boolean): FacetField[] {
  if (param === undefined) return hasCursor ? [] : [...FACET_FIELDS];
  if (param === 'none') return [];
  return [...new Set(param.split(','))].filter((f): f is FacetField => (FACET_FIELDS as readonly string[]).includes(f));
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

function displayName(names: Intl.DisplayNames, code: string): string {
  try {
    return names.of(code) ?? code;
  } catch {
    // Not a well-formed code (Intl throws a RangeError): show it as stored.
    return code;
  }
}

/** The store's facets with display labels: catalog names for outlets, actors and themes; English names for codes. */
export function labelFacets(facets: SearchFacets, lookup: CatalogLookup): Partial<Record<FacetField, FacetValueView[]>> {
  const label: Record<FacetField, (v: string) => string> = {
    outlet: (v) => lookup.outletName(v) ?? v,
    actor: (v) => lookup.actorName(v) ?? v,
    theme: (v) => lookup.themeName(v) ?? v,
    language: (v) => (v === 'und' ? 'Undetermined' : displayName(languageNames, v)),
    country: (v) => displayName(regionNames, v),
    tag: (v) => v,
  };
  const out: Partial<Record<FacetField, FacetValueView[]>> = {};
  for (const field of FACET_FIELDS) {
    const counts = facets[field];
    if (counts) out[field] = counts.map((c) => ({ value: c.value, label: label[field](c.value), count: c.count }));
  }
  return out;
}
