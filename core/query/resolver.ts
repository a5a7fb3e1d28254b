/**
 * Resolution of the names users type in queries (`actor:"White Helmets"`, `outlet:RT`, `collection:wire`,
 * `country:ru`) against the catalog, shared by the API, the CLI and the worker so every entry point agrees.
 */
import type { OutletGroupField, ResolvedTagField, TagResolver } from './parse.ts';

/** An actor, theme or outlet as the resolver needs it. */
export interface NamedEntry {
  id: string;
  name: string;
  aliases?: readonly string[];
}

/** An outlet with the fields `collection:` (its tags) and `country:` resolve through. */
export interface OutletEntry extends NamedEntry {
  country?: string | undefined;
  tags?: readonly string[] | undefined;
}

/** The catalog content a resolver is built from. */
export interface QueryCatalog {
  actors: readonly NamedEntry[];
  themes: readonly NamedEntry[];
  outlets?: readonly OutletEntry[];
}

/** Case-, width- and spacing-insensitive lookup key of a name. */
export function lookupKey(value: string): string {
  return value.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Adds keys in priority order: ids, then names, then aliases, so an alias never shadows an id or a name. */
function nameIndex(entries: readonly NamedEntry[]): Map<string, string> {
  const map = new Map<string, string>();
  const add = (raw: string, id: string): void => {
    const k = lookupKey(raw);
    if (k && !map.has(k)) map.set(k, id);
  };
  for (const e of entries) add(e.id, e.id);
  for (const e of entries) add(e.name, e.id);
  for (const e of entries) for (const alias of e.aliases ?? []) add(alias, e.id);
  return map;
}

function groupIndex(outlets: readonly OutletEntry[], keysOf: (o: OutletEntry) => readonly string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const o of outlets) {
    for (const raw of keysOf(o)) {
      const k = lookupKey(raw);
      if (!k) continue;
      const ids = map.get(k) ?? [];
      if (!ids.includes(o.id)) ids.push(o.id);
      map.set(k, ids);
    }
  }
  // Sorted so the resolved OR (and its compiled SQL / ES request) does not depend on catalog order.
  for (const ids of map.values()) ids.sort();
  return map;
}

/**
 * The resolver for `parseQuery(text, resolver)` over a catalog: actor, theme and outlet ids, names and aliases
 * (case-insensitive) map to ids; `lang:` values pass through lowercased; `collection:` is an outlet tag and
 * `country:` an outlet country (ISO code, case-insensitive), each resolving to the ids of the outlets that have
 * it (unknown = no outlet has it).
 */
export function createCatalogResolver(catalog: QueryCatalog): TagResolver {
  const outlets = catalog.outlets ?? [];
  const names: Record<Exclude<ResolvedTagField, 'lang'>, Map<string, string>> = {
    actor: nameIndex(catalog.actors),
    theme: nameIndex(catalog.themes),
    outlet: nameIndex(outlets),
  };
  const groups: Record<OutletGroupField, Map<string, string[]>> = {
    collection: groupIndex(outlets, (o) => o.tags ?? []),
    country: groupIndex(outlets, (o) => (o.country ? [o.country] : [])),
  };
  const resolve: TagResolver = (field, value) => {
    // Languages are codes, not catalog entries: any code is accepted and matched as given, lowercased.
    if (field === 'lang') return lookupKey(value) || null;
    return names[field].get(lookupKey(value)) ?? null;
  };
  resolve.outletGroup = (field, value) => groups[field].get(lookupKey(value)) ?? null;
  return resolve;
}
