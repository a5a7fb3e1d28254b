/**
 * Resolves the names users type in queries (`actor:"White Helmets"`, `outlet:RT`) to catalog ids, so the
 * parsed AST only ever carries ids. Built per request from the catalog, which is small.
 */
import { createCatalogResolver } from '../../core/query/resolver.ts';
import type { TagResolver } from '../../core/query/parse.ts';
import type { CatalogStore } from '../../store/catalog-store.ts';

/** The resolver parseQuery takes: ids for tag values and outlet groups, or null when nothing in the catalog matches. */
export type QueryResolver = TagResolver;

/** Resolver plus the display names the API needs for labels. */
export interface CatalogLookup {
  resolve: QueryResolver;
  actorName(id: string): string | undefined;
  themeName(id: string): string | undefined;
  outletName(id: string): string | undefined;
}

/** Loads actors, themes and outlets once and answers lookups from memory (resolution: core/query/resolver.ts). */
export async function loadCatalogLookup(catalog: CatalogStore): Promise<CatalogLookup> {
  const [actors, themes, outlets] = await Promise.all([catalog.listActors(), catalog.listThemes(), catalog.listOutlets()]);
  const names = {
    actor: new Map(actors.map((a) => [a.id, a.name])),
    theme: new Map(themes.map((t) => [t.id, t.name])),
    outlet: new Map(outlets.map((o) => [o.id, o.name])),
  };
  return {
    resolve: createCatalogResolver({ actors, themes, outlets }),
    actorName: (id) => names.actor.get(id),
    themeName: (id) => names.theme.get(id),
    outletName: (id) => names.outlet.get(id),
  };
}

/**
 * The resolver for `parseQuery(text, resolver)`: actor, theme and outlet names or ids (case-insensitive)
 * and actor aliases map to ids; `collection:` / `country:` to their outlets; `lang:` values pass through lowercased.
 */
export async function createQueryResolver(catalog: CatalogStore): Promise<QueryResolver> {
  return (await loadCatalogLookup(catalog)).resolve;
}
