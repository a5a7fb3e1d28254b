/**
 * The watchlist file: outlets with their feeds, actors, themes and alerts, in YAML a researcher edits and
 * keeps under version control. Parsing is pure; applying it to the catalog lives in store/apply-watchlist.ts.
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { ActorTypeSchema, SlugSchema } from './types.ts';
import type { Actor, Outlet, Theme } from './types.ts';
import { ValidationError } from './errors.ts';
import { slugify } from './ids.ts';

const WatchlistFileSchema = z
  .object({
    outlets: z
      .array(
        z.object({
          id: SlugSchema.optional(),
          name: z.string().min(1),
          homepage: z.string().url().optional(),
          country: z.string().length(2).optional(),
          language: z.string().min(2).max(3).optional(),
          tags: z.array(z.string().min(1)).default([]),
          feeds: z.array(z.string().url()).default([]),
        }),
      )
      .default([]),
    actors: z
      .array(
        z.object({
          id: SlugSchema.optional(),
          name: z.string().min(1),
          type: ActorTypeSchema.default('other'),
          aliases: z.array(z.string().min(1)).default([]),
        }),
      )
      .default([]),
    themes: z
      .array(z.object({ id: SlugSchema.optional(), name: z.string().min(1), query: z.string().min(1) }))
      .default([]),
    alerts: z
      .array(
        z.object({
          id: SlugSchema.optional(),
          name: z.string().min(1),
          query: z.string().min(1),
          webhook: z.string().url().optional(),
        }),
      )
      .default([]),
  })
  .strict();

export interface WatchlistAlert {
  id: string;
  name: string;
  query: string;
  webhookUrl?: string;
}

export interface Watchlist {
  outlets: Array<{ outlet: Outlet; feeds: string[] }>;
  actors: Actor[];
  themes: Theme[];
  alerts: WatchlistAlert[];
}

/** Parses watchlist YAML. Throws ValidationError naming the file and the path of every problem. */
export function parseWatchlist(yamlText: string, fileName = 'watchlist'): Watchlist {
  let data: unknown;
  try {
    data = parseYaml(yamlText) ?? {};
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line})` : '';
    throw new ValidationError('watchlist_yaml', `${fileName}${where}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = WatchlistFileSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new ValidationError('watchlist_invalid', `${fileName}: ${problems.join('; ')}`);
  }
  const w = parsed.data;
  const watchlist: Watchlist = {
    outlets: w.outlets.map((o) => ({
      outlet: {
        id: o.id ?? slugify(o.name),
        name: o.name,
        ...(o.homepage ? { homepage: o.homepage } : {}),
        ...(o.country ? { country: o.country.toUpperCase() } : {}),
        ...(o.language ? { language: o.language.toLowerCase() } : {}),
        tags: o.tags,
      },
      feeds: o.feeds,
    })),
    actors: w.actors.map((a) => ({ id: a.id ?? slugify(a.name), name: a.name, type: a.type, aliases: a.aliases })),
    themes: w.themes.map((t) => ({ id: t.id ?? slugify(t.name), name: t.name, query: t.query })),
    alerts: w.alerts.map((a) => ({
      id: a.id ?? slugify(a.name),
      name: a.name,
      query: a.query,
      ...(a.webhook ? { webhookUrl: a.webhook } : {}),
    })),
  };
  assertUniqueIds(fileName, 'outlets', watchlist.outlets.map((o) => o.outlet.id));
  assertUniqueIds(fileName, 'actors', watchlist.actors.map((a) => a.id));
  assertUniqueIds(fileName, 'themes', watchlist.themes.map((t) => t.id));
  assertUniqueIds(fileName, 'alerts', watchlist.alerts.map((a) => a.id));
  return watchlist;
}

function assertUniqueIds(fileName: string, section: string, ids: string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new ValidationError('watchlist_invalid', `${fileName}: ${section}: duplicate id "${id}"`);
    seen.add(id);
  }
}
