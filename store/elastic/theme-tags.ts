/**
 * The Elasticsearch ArticleStore methods of the theme re-tagger: a search_after walk in storage order and
 * per-document add/remove of one theme through bulk update scripts. Matching never runs in the cluster (no
 * update_by_query): the re-tagger decides with the same in-memory matcher that tags articles at index time.
 */
import { TransientError, ValidationError } from '../../core/errors.ts';
import type { ArticleStore, ScannedArticle, ThemeTagResult } from '../article-store.ts';
import type { ElasticClient } from './client.ts';
import type { ElasticNames } from './mapping.ts';

/** What the re-tagger reads of an article document. */
export const SCAN_SOURCE_FIELDS = ['id', 'title', 'text', 'outletId', 'language', 'actors', 'themes', 'date', 'keywords', 'entities'];

const MAX_SCAN_LIMIT = 5000;

/**
 * Adds `params.theme` unless present. A script (not a partial doc with the whole list) so that two jobs for
 * different themes updating one article cannot overwrite each other's change; noop keeps the version.
 */
export const ADD_THEME_SCRIPT = [
  'if (ctx._source.themes == null) { ctx._source.themes = new ArrayList(); }',
  "if (ctx._source.themes.contains(params.theme)) { ctx.op = 'noop'; } else { ctx._source.themes.add(params.theme); }",
].join(' ');

/** Removes `params.theme` when present. */
export const REMOVE_THEME_SCRIPT = [
  "if (ctx._source.themes == null || !ctx._source.themes.contains(params.theme)) { ctx.op = 'noop'; }",
  'else { ctx._source.themes.removeIf(t -> t == params.theme); }',
].join(' ');

/** Cursor of a scan: the sort values [storedAt epoch ms, id] of the last hit. */
type ScanCursor = [number, string];

function decodeScanCursor(after: string): ScanCursor {
  try {
    const value = JSON.parse(after) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'string') {
      return [value[0], value[1]];
    }
  } catch {
    // Reported below with the value.
  }
  throw new ValidationError('invalid_cursor', `article-store: not a scan cursor: ${after}`);
}

/**
 * One scan page: storedAt ascending with the id as tie-breaker, so articles stored after the walk began sort
 * after its cursor (as SQLite's seq does). No total: the walk needs none.
 */
export function scanRequest(after: string | null, limit: number): Record<string, unknown> {
  return {
    query: { match_all: {} },
    sort: [{ storedAt: { order: 'asc' } }, { id: { order: 'asc' } }],
    size: limit,
    track_total_hits: false,
    _source: SCAN_SOURCE_FIELDS,
    ...(after !== null ? { search_after: decodeScanCursor(after) } : {}),
  };
}

/** Where the given ids live: updates must name the concrete index, since the read alias spans rolled-over ones. */
export function locateRequest(ids: readonly string[]): Record<string, unknown> {
  return { query: { ids: { values: [...ids] } }, size: ids.length, _source: false };
}

/** The bulk update operations (action line + script line per document). */
export function themeTagOperations(
  themeId: string,
  located: readonly { index: string; id: string; op: 'add' | 'remove' }[],
): Record<string, unknown>[] {
  return located.flatMap(({ index, id, op }) => [
    { update: { _index: index, _id: id, retry_on_conflict: 3 } },
    {
      script: {
        source: op === 'add' ? ADD_THEME_SCRIPT : REMOVE_THEME_SCRIPT,
        lang: 'painless',
        params: { theme: themeId },
      },
    },
  ]);
}

interface Hit {
  _id?: string;
  _index?: string;
  _source?: Partial<ScannedArticle>;
  sort?: unknown[];
}

interface UpdateItem {
  update?: { _id?: string; status?: number; result?: string; error?: { type?: string; reason?: string } };
}

/** Builds the scan and theme-tag methods over the store's client and index names. */
export function createElasticThemeTagMethods(deps: {
  client: ElasticClient;
  names: ElasticNames;
  ready: () => Promise<void>;
  refresh: 'wait_for' | false;
}): Pick<ArticleStore, 'scanArticles' | 'setThemeTag'> {
  const { client, names } = deps;
  return {
    async scanArticles(after, limit) {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SCAN_LIMIT) {
        throw new ValidationError('invalid_limit', `article-store: limit must be an integer in 1..${MAX_SCAN_LIMIT}`);
      }
      const body = scanRequest(after, limit);
      await deps.ready();
      const response = await client.search<Partial<ScannedArticle>>({ index: names.articlesRead, ...body });
      const hits = (response.hits?.hits ?? []) as Hit[];
      const articles = hits.map((h): ScannedArticle => {
        const s = h._source ?? {};
        return {
          id: s.id ?? h._id ?? '',
          title: s.title ?? '',
          text: s.text ?? '',
          outletId: s.outletId ?? '',
          language: s.language ?? '',
          actors: s.actors ?? [],
          themes: s.themes ?? [],
          date: s.date ?? '',
          keywords: s.keywords ?? [],
          entities: s.entities ?? [],
        };
      });
      const lastSort = hits[hits.length - 1]?.sort;
      return { articles, cursor: lastSort ? JSON.stringify(lastSort) : after, end: hits.length < limit };
    },

    async setThemeTag(themeId, change): Promise<ThemeTagResult> {
      const ops = new Map<string, 'add' | 'remove'>();
      for (const id of change.add) ops.set(id, 'add');
      for (const id of change.remove) ops.set(id, 'remove');
      const result: ThemeTagResult = { added: 0, removed: 0 };
      if (ops.size === 0) return result;
      await deps.ready();
      const found = await client.search({ index: names.articlesRead, ...locateRequest([...ops.keys()]) });
      const located = ((found.hits?.hits ?? []) as Hit[]).flatMap((h) => {
        const op = h._id !== undefined ? ops.get(h._id) : undefined;
        return op && h._index ? [{ index: h._index, id: h._id ?? '', op }] : [];
      });
      if (located.length === 0) return result;
      let response;
      try {
        response = await client.bulk({
          operations: themeTagOperations(themeId, located),
          ...(deps.refresh ? { refresh: deps.refresh } : {}),
        });
      } catch (err) {
        throw new TransientError('elastic_bulk_failed', 'elastic-store: theme tag update failed', { cause: err });
      }
      const failures: string[] = [];
      for (const [i, item] of (response.items as UpdateItem[]).entries()) {
        const u = item.update;
        const op = located[i]?.op;
        if (!u || !op) continue;
        // 404: deleted since it was located; nothing left to tag.
        if (u.status === 404) continue;
        if (u.error) {
          failures.push(`${u._id}: ${u.error.type}: ${u.error.reason}`);
          continue;
        }
        if (u.result === 'updated') result[op === 'add' ? 'added' : 'removed']++;
      }
      if (failures.length > 0) {
        throw new TransientError('elastic_bulk_failed', `elastic-store: theme tag update refused for ${failures.join('; ')}`);
      }
      return result;
    },
  };
}
