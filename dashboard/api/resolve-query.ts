/**
 * Resolves the names users type in queries (`actor:"White Helmets"`, `outlet:RT`) to catalog ids, so the
 * parsed AST only ever carries ids. Built per request from the catalog, which is small.
 */
import type { TagField } from '../../core/query/ast.ts';
import type { CatalogStore } from '../../store/catalog-store.ts';

/** The resolver parseQuery takes: id for a tag value, or null when nothing in the catalog matches. */
export type QueryResolver = (field: TagField, value: string) => string | null;

/** Resolver plus the display names the API needs for labels. */
export interface CatalogLookup {
  resolve: QueryResolver;
  actorName(id: string): string | undefined;
  themeName(id: string): string | undefined;
  outletName(id: string): string | undefined;
}

function key(value: string): string {
  return value.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Adds keys in priority order: a key already taken (by an id, then a name) is never overwritten by an alias. */
function addKey(map: Map<string, string>, raw: string, id: string): void {
  const k = key(raw);
  if (k && !map.has(k)) map.set(k, id);
}

function buildIndex(entries: readonly { id: string; name: string; aliases?: readonly string[] }[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of entries) addKey(map, e.id, e.id);
  for (const e of entries) addKey(map, e.name, e.id);
  for (const e of entries) for (const alias of e.aliases ?? []) addKey(map, alias, e.id);
  return map;
}

/** Loads actors, themes and outlets once and answers lookups from memory. */
export async function loadCatalogLookup(catalog: CatalogStore): Promise<CatalogLookup> {
  const [actors, themes, outlets] = await Promise.all([catalog.listActors(), catalog.listThemes(), catalog.listOutlets()]);
  const index: Record<Exclude<TagField, 'lang'>, Map<string, string>> = {
    actor: buildIndex(actors),
    theme: buildIndex(themes),
    outlet: buildIndex(outlets),
  };
  const names = {
    actor: new Map(actors.map((a) => [a.id, a.name])),
    theme: new Map(themes.map((t) => [t.id, t.name])),
    outlet: new Map(outlets.map((o) => [o.id, o.name])),
  };
  return {
    resolve: (field, value) => {
      // Languages are codes, not catalog entries: any code is accepted and matched as given, lowercased.
      if (field === 'lang') return key(value) || null;
      return index[field].get(key(value)) ?? null;
    },
    actorName: (id) => names.actor.get(id),
    themeName: (id) => names.theme.get(id),
    outletName: (id) => names.outlet.get(id),
  };
}

/**
 * The resolver for `parseQuery(text, resolver)`: actor, theme and outlet names or ids (case-insensitive)
 * and actor aliases map to ids; `lang:` values pass through lowercased.
 */
export async function createQueryResolver(catalog: CatalogStore): Promise<QueryResolver> {
  return (await loadCatalogLookup(catalog)).resolve;
}
