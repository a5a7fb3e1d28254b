/**
 * Facet counts of a match set held as seqs: outlet and language (and country and tag, folded from the outlets) are
 * counted over the in-memory facts; actor and theme, which an article has any number of and a re-tag changes, are
 * counted by the facet SQL of search-complete.ts over the same seqs.
 */
import type { Database } from 'better-sqlite3';
import type { FacetCount, FacetField, OutletGroups, SearchFacets } from '../article-store.ts';
import { assembleFacets, needsAllOutlets } from '../facets.ts';
import type { FactsSnapshot } from './article-facts.ts';
import { MATCHED_WHERE, sqliteFacets, withMatchedSeqs } from './search-complete.ts';

export function factsFacets(
  db: Database,
  facts: FactsSnapshot,
  seqs: Int32Array,
  fields: readonly FacetField[],
  limit: number,
  groups: OutletGroups | undefined,
): SearchFacets {
  const direct: Partial<Record<'outlet' | 'language' | 'actor' | 'theme', FacetCount[]>> = {};
  const tagFields = fields.filter((f): f is 'actor' | 'theme' => f === 'actor' || f === 'theme');
  if (tagFields.length > 0) {
    const counted = withMatchedSeqs(db, seqs, () => sqliteFacets(db, MATCHED_WHERE, tagFields, limit, groups));
    for (const f of tagFields) direct[f] = counted[f] ?? [];
  }
  if (fields.includes('outlet') || needsAllOutlets(fields)) direct.outlet = countCodes(seqs, facts.outlet, facts.outletIds);
  if (fields.includes('language')) direct.language = countCodes(seqs, facts.lang, facts.languages);
  return assembleFacets(fields, direct, groups, limit);
}

/** Every non-empty value with its count (the tag table holds no row for an empty outlet or language). */
function countCodes(seqs: Int32Array, codes: Uint32Array, values: readonly string[]): FacetCount[] {
  const counts = new Int32Array(values.length);
  for (let i = 0; i < seqs.length; i++) counts[codes[seqs[i]!]!]! += 1;
  const out: FacetCount[] = [];
  counts.forEach((count, code) => {
    if (count > 0 && values[code] !== '') out.push({ value: values[code]!, count });
  });
  return out;
}
