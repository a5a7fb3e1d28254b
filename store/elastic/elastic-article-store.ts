/**
 * Elasticsearch adapter of the ArticleStore port: articles behind a write alias (create-by-id, per-item bulk
 * outcomes, dead letters), search with highlights and search_after, trends and top terms as aggregations, and
 * alert events in their own index with deterministic ids. Same behaviour as the SQLite store (contract suite).
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../core/logger.ts';
import { AppError, NotFoundError, TransientError, ValidationError } from '../../core/errors.ts';
import type { QueryNode } from '../../core/query/ast.ts';
import type { AlertEvent, Article } from '../../core/types.ts';
import type {
  ArticleStore,
  ArticleToStore,
  DeliveryOutcome,
  ExportOptions,
  ExportRow,
  InsertResult,
  SearchOptions,
  SearchResult,
  TermCount,
  TopTermsOptions,
} from '../article-store.ts';
import { decodeCursor, decodeRelevanceCursor, encodeCursor, encodeRelevanceCursor } from '../sqlite/cursor.ts';
import { facetLimitOf } from '../facets.ts';
import { alertEventId, TITLE_DEDUPE_WINDOW_MS } from '../sqlite/sqlite-article-store.ts';
import { bulkCreate, type BulkDoc, type BulkFailure, type BulkRetryPolicy } from './bulk.ts';
import type { ElasticClient } from './client.ts';
import { assignClusters, createElasticClusterMethods, withClusterSizes } from './clusters.ts';
import { ARTICLE_SOURCE_EXCLUDES, sourceToArticle, sourceToExportRow, sourceToHit, toDocument, type ArticleDocument } from './document.ts';
import { elasticNames, ensureIndices, errorType, type ElasticNames } from './mapping.ts';
import { createElasticThemeTagMethods } from './theme-tags.ts';
import { createElasticTrendMethods } from './trends.ts';
import {
  dueEventsRequest,
  existingIdsRequest,
  exportPageRequest,
  feedCountsRequest,
  listEventsRequest,
  RECORD_DELIVERY_SCRIPT,
  searchRequest,
  toFacets,
  toTermCounts,
  topTermsRequest,
} from './requests.ts';

/** Options of {@link createElasticArticleStore}. */
export interface ElasticArticleStoreOptions {
  client: ElasticClient;
  /** Prepended to every index, alias, template and policy name. @defaultValue '' */
  prefix?: string;
  /**
   * The webhook URL of an alert (alerts live in the catalog): decides whether a new event awaits delivery.
   * @defaultValue every alert has no webhook
   */
  alertWebhook?: (alertId: string) => Promise<string | null | undefined>;
  logger?: Logger;
  /**
   * Install the ILM policy and templates and create the first indices on first use. Turn off where operators
   * manage the cluster from infra/elasticsearch/ themselves.
   * @defaultValue true
   */
  manageIndices?: boolean;
  /**
   * Refresh policy of writes. `wait_for` (default) returns once the writes are searchable, which search-based
   * reads (existingIds, getArticle, dueDeliveries) and the cross-index duplicate check rely on.
   * @defaultValue 'wait_for'
   */
  refresh?: 'wait_for' | false;
  /** Backoff of rejected bulk items (429, 503). */
  retry?: Partial<BulkRetryPolicy>;
  /** Used for dead-letter timestamps. @defaultValue () => new Date() */
  now?: () => Date;
}

/** Extra outcome of an insert, beyond the port's InsertResult. */
export interface ElasticInsertResult extends InsertResult {
  /** Articles Elasticsearch refused for good, each recorded in the dead-letter index with the reason. */
  deadLettered: BulkFailure[];
}

/** The Elasticsearch store: the port plus what only it has. */
export interface ElasticArticleStore extends ArticleStore {
  readonly names: ElasticNames;
  /** insertArticles with the dead-lettered items reported too. */
  insertArticlesDetailed(items: readonly ArticleToStore[], now: Date): Promise<ElasticInsertResult>;
}

const MAX_SEARCH_LIMIT = 100;
/** Export page (search_after keyset), as in the SQLite store. */
const DEFAULT_EXPORT_PAGE = 1000;
const MAX_EXPORT_PAGE = 5000;
const MAX_TERMS_LIMIT = 1000;
const MAX_LIST_LIMIT = 10_000;
/** Ids per existence check (an ids query returns at most index.max_result_window = 10,000 hits). */
const ID_CHUNK = 1000;

function requireLimit(limit: number, max: number, name: string): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new ValidationError('invalid_limit', `article-store: ${name} must be an integer in 1..${max}`);
  }
  return limit;
}

/**
 * Id of the title claim of (outlet, titleKey, 7-day bucket): creating it with op_type create is atomic, so two
 * writers racing to store the same story for the same bucket cannot both win.
 */
export function titleClaimId(outletId: string, key: string, bucket: number): string {
  return createHash('sha256').update(`${outletId}\u0000${key}\u0000${bucket}`).digest('hex').slice(0, 32);
}

/** The 7-day bucket of a date (epoch ms). */
export function titleBucket(dateMs: number): number {
  return Math.floor(dateMs / TITLE_DEDUPE_WINDOW_MS);
}

/** Id of a dead-letter record: one per (article, error type), so a replayed failure is recorded once. */
export function deadLetterId(articleId: string, type: string): string {
  return createHash('sha256').update(`${articleId}\u0000${type}`).digest('hex').slice(0, 32);
}

interface TitleClaim {
  outletId: string;
  titleKey: string;
  bucket: number;
  articleId: string;
  date: string;
}

interface Prepared {
  item: ArticleToStore;
  doc: ArticleDocument;
  dateMs: number;
}

interface Hit<T> {
  _id?: string;
  _source?: T;
  highlight?: Record<string, string[]>;
  sort?: unknown[];
}

function hitsOf<T>(response: { hits?: { hits?: Hit<T>[] } }): Hit<T>[] {
  return response.hits?.hits ?? [];
}

function totalOf(response: { hits?: { total?: { value?: number } | number } }): number {
  const total = response.hits?.total;
  return typeof total === 'number' ? total : (total?.value ?? 0);
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { meta?: { statusCode?: unknown } } | null)?.meta?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Builds the Elasticsearch store. Opens nothing until the first call. */
export function createElasticArticleStore(options: ElasticArticleStoreOptions): ElasticArticleStore {
  const { client } = options;
  const names = elasticNames(options.prefix ?? '');
  const refresh = options.refresh ?? 'wait_for';
  const log = options.logger?.child({ component: 'elastic-store' });
  const webhookOf = options.alertWebhook ?? (async () => null);
  const clock = options.now ?? (() => new Date());
  const bulkOptions = { refresh, ...(options.retry ? { retry: options.retry } : {}) } as const;

  let readyPromise: Promise<void> | null = null;
  const ready = (): Promise<void> => {
    if (options.manageIndices === false) return Promise.resolve();
    readyPromise ??= ensureIndices(client, names).catch((err: unknown) => {
      // Not cached: the next call tries again (the cluster may have been starting).
      readyPromise = null;
      throw new TransientError('elastic_unavailable', 'elastic-store: could not prepare the indices', { cause: err });
    });
    return readyPromise;
  };

  /** Which ids exist across every articles index, with the alert ids stored on each. */
  const findExisting = async (ids: readonly string[]): Promise<Map<string, string[]>> => {
    const found = new Map<string, string[]>();
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const chunk = ids.slice(i, i + ID_CHUNK);
      const response = await client.search<{ alertIds?: string[] }>({ index: names.articlesRead, ...existingIdsRequest(chunk) });
      for (const hit of hitsOf(response)) {
        if (hit._id !== undefined) found.set(hit._id, hit._source?.alertIds ?? []);
      }
    }
    return found;
  };

  /** Title duplicates among `candidates` (per-outlet, same titleKey, dates at most 7 days apart). */
  const titleDuplicates = async (candidates: readonly Prepared[]): Promise<{ duplicates: Set<string>; claimed: Map<string, string> }> => {
    const duplicates = new Set<string>();
    // claim id -> article id, for claims this call created (released again if the article is dead-lettered).
    const claimed = new Map<string, string>();
    const keyed = candidates.filter((p) => p.doc.titleKey !== null);
    if (keyed.length === 0) return { duplicates, claimed };

    // A stored article within 7 days of `dateMs` has its claim in bucket b-1, b or b+1: one per bucket at most,
    // because two stored articles in one 7-day bucket would be within 7 days of each other.
    const claimIdsOf = (p: Prepared): string[] => {
      const b = titleBucket(p.dateMs);
      return [b - 1, b, b + 1].map((x) => titleClaimId(p.doc.outletId, p.doc.titleKey ?? '', x));
    };
    const wanted = [...new Set(keyed.flatMap(claimIdsOf))];
    const known = new Map<string, TitleClaim>();
    // mget by id is real time: no refresh needed to see another writer's claim.
    const got = await client.mget<TitleClaim>({ index: names.titleClaims, ids: wanted });
    for (const doc of got.docs) {
      if ('found' in doc && doc.found && doc._source) known.set(doc._id, doc._source);
    }

    const isDuplicate = (p: Prepared): boolean =>
      claimIdsOf(p).some((id) => {
        const claim = known.get(id);
        return (
          claim !== undefined &&
          claim.articleId !== p.doc.id &&
          Math.abs(Date.parse(claim.date) - p.dateMs) <= TITLE_DEDUPE_WINDOW_MS
        );
      });

    const toClaim: { p: Prepared; claim: BulkDoc }[] = [];
    for (const p of keyed) {
      if (isDuplicate(p)) {
        duplicates.add(p.doc.id);
        continue;
      }
      const bucket = titleBucket(p.dateMs);
      const id = titleClaimId(p.doc.outletId, p.doc.titleKey ?? '', bucket);
      if (known.get(id)?.articleId === p.doc.id) continue; // a replay of an article that already holds its claim
      const claim: TitleClaim = { outletId: p.doc.outletId, titleKey: p.doc.titleKey ?? '', bucket, articleId: p.doc.id, date: p.doc.date };
      // Later items of this same call see this claim, as they would see a row inserted earlier in SQLite.
      known.set(id, claim);
      toClaim.push({ p, claim: { id, doc: claim } });
    }
    if (toClaim.length === 0) return { duplicates, claimed };

    const outcome = await bulkCreate(client, names.titleClaims, toClaim.map((c) => c.claim), { retry: options.retry ?? {} });
    if (outcome.failed.length > 0) {
      const first = outcome.failed[0];
      throw new AppError('elastic_claim_failed', `elastic-store: title claim refused: ${first?.errorType}: ${first?.reason}`);
    }
    for (const id of outcome.created) {
      const c = toClaim.find((x) => x.claim.id === id);
      if (c) claimed.set(id, c.p.doc.id);
    }
    if (outcome.conflicts.length > 0) {
      // Another writer claimed the same bucket between our read and our create: the story is theirs unless the
      // claim names this very article (a replay racing itself).
      const again = await client.mget<TitleClaim>({ index: names.titleClaims, ids: outcome.conflicts });
      for (const doc of again.docs) {
        const mine = toClaim.find((x) => x.claim.id === doc._id);
        if (!mine) continue;
        const owner = 'found' in doc && doc.found ? doc._source?.articleId : undefined;
        if (owner !== mine.p.doc.id) duplicates.add(mine.p.doc.id);
      }
    }
    return { duplicates, claimed };
  };

  const createEvents = async (pairs: { articleId: string; alertIds: readonly string[] }[], nowIso: string): Promise<AlertEvent[]> => {
    const webhooks = new Map<string, boolean>();
    const events: AlertEvent[] = [];
    for (const { articleId, alertIds } of pairs) {
      for (const alertId of new Set(alertIds)) {
        if (!webhooks.has(alertId)) webhooks.set(alertId, Boolean(await webhookOf(alertId)));
        const hasWebhook = webhooks.get(alertId) === true;
        events.push({
          id: alertEventId(alertId, articleId),
          alertId,
          articleId,
          createdAt: nowIso,
          deliveryStatus: hasWebhook ? 'pending' : 'none',
          deliveryAttempts: 0,
          lastDeliveryError: null,
          nextDeliveryAt: hasWebhook ? nowIso : null,
        });
      }
    }
    if (events.length === 0) return [];
    const outcome = await bulkCreate(client, names.alertEvents, events.map((e) => ({ id: e.id, doc: e })), bulkOptions);
    if (outcome.failed.length > 0) {
      const first = outcome.failed[0];
      throw new AppError('elastic_event_failed', `elastic-store: alert event refused: ${first?.errorType}: ${first?.reason}`);
    }
    // 409 = the event exists already (a replay): created once, reported once.
    const created = new Set(outcome.created);
    return events.filter((e) => created.has(e.id));
  };

  const deadLetter = async (failures: readonly BulkFailure[], docs: Map<string, ArticleDocument>): Promise<void> => {
    if (failures.length === 0) return;
    const failedAt = clock().toISOString();
    const records = failures.map((f) => ({
      id: deadLetterId(f.id, f.errorType),
      doc: {
        articleId: f.id,
        targetIndex: names.articlesWrite,
        failedAt,
        status: f.status,
        errorType: f.errorType,
        reason: f.reason,
        attempts: f.attempts,
        document: docs.get(f.id) ?? null,
      },
    }));
    // If the dead-letter write fails too, this throws: the batch is retried rather than lost.
    const outcome = await bulkCreate(client, names.deadLetters, records, { retry: options.retry ?? {} });
    if (outcome.failed.length > 0) {
      throw new AppError('elastic_dead_letter_failed', `elastic-store: dead-letter record refused for ${outcome.failed.map((f) => f.id).join(', ')}`);
    }
    for (const f of failures) {
      log?.error({ articleId: f.id, status: f.status, errorType: f.errorType, reason: f.reason }, 'article dead-lettered');
    }
  };

  const insertArticlesDetailed = async (items: readonly ArticleToStore[], now: Date): Promise<ElasticInsertResult> => {
    const nowIso = now.toISOString();
    // Built before any request: an article without a valid date fails the call like the SQLite store does.
    const prepared: Prepared[] = items.map((item) => {
      const doc = toDocument(item.article, item.alertIds, nowIso, item.fingerprint);
      return { item, doc, dateMs: Date.parse(doc.date) };
    });
    await ready();
    const result: ElasticInsertResult = { inserted: [], duplicates: [], alertEvents: [], deadLettered: [] };
    if (prepared.length === 0) return result;

    const unique: Prepared[] = [];
    const seen = new Set<string>();
    for (const p of prepared) {
      if (seen.has(p.doc.id)) result.duplicates.push(p.doc.id);
      else {
        seen.add(p.doc.id);
        unique.push(p);
      }
    }

    // create-by-id only detects ids in the current write index; ids stored before a rollover live in older
    // indices, which this read-alias lookup covers.
    const existing = await findExisting(unique.map((p) => p.doc.id));
    const fresh = unique.filter((p) => !existing.has(p.doc.id));
    const { duplicates: sameTitle, claimed } = await titleDuplicates(fresh);
    const toCreate = fresh.filter((p) => !sameTitle.has(p.doc.id));
    const joinedClusters = await assignClusters(client, names, toCreate.map((p) => p.doc));

    const outcome = await bulkCreate(client, names.articlesWrite, toCreate.map((p) => ({ id: p.doc.id, doc: p.doc })), bulkOptions);
    const created = new Set(outcome.created);
    const conflicts = new Set(outcome.conflicts);
    const failed = new Set(outcome.failed.map((f) => f.id));
    await deadLetter(outcome.failed, new Map(toCreate.map((p) => [p.doc.id, p.doc])));
    result.deadLettered = outcome.failed;

    // A dead-lettered article was never stored: release its title claim so the story can still be stored.
    const release = [...claimed].filter(([, articleId]) => failed.has(articleId)).map(([claimId]) => claimId);
    if (release.length > 0) {
      // Best effort: a claim left behind only makes a later copy of the same title count as a duplicate.
      const released = await client.bulk({ index: names.titleClaims, operations: release.map((id) => ({ delete: { _id: id } })) });
      if (released.errors) log?.warn({ claims: release }, 'title claim release failed');
    }

    for (const p of unique) {
      const id = p.doc.id;
      if (created.has(id)) result.inserted.push(id);
      else if (existing.has(id) || sameTitle.has(id) || conflicts.has(id)) result.duplicates.push(id);
    }

    const fromInserted = toCreate
      .filter((p) => created.has(p.doc.id))
      .map((p) => ({ articleId: p.doc.id, alertIds: p.item.alertIds }));
    // Events of an article stored by an earlier call that crashed before writing them: the stored alert ids
    // (not the replay's) say which; events that exist already are not created or reported again.
    const repairs = [...existing].filter(([, alertIds]) => alertIds.length > 0).map(([articleId, alertIds]) => ({ articleId, alertIds }));
    result.alertEvents = await createEvents([...fromInserted, ...repairs], nowIso);
    const syndicated = joinedClusters.filter((id) => created.has(id));
    if (syndicated.length > 0) result.syndicated = syndicated;
    return result;
  };

  return {
    kind: 'elasticsearch',
    names,
    insertArticlesDetailed,
    ...createElasticThemeTagMethods({ client, names, ready, refresh }),
    ...createElasticClusterMethods({ client, names, ready }),
    ...createElasticTrendMethods({ client, names, ready }),

    async existingIds(ids) {
      if (ids.length === 0) return new Set();
      await ready();
      return new Set((await findExisting(ids)).keys());
    },

    async insertArticles(items, now) {
      const { deadLettered: _deadLettered, ...result } = await insertArticlesDetailed(items, now);
      return result;
    },

    async getArticle(id): Promise<Article | null> {
      await ready();
      const response = await client.search<Partial<ArticleDocument>>({
        index: names.articlesRead,
        query: { ids: { values: [id] } },
        size: 1,
        _source: { excludes: ARTICLE_SOURCE_EXCLUDES },
      });
      const source = hitsOf(response)[0]?._source;
      return source ? sourceToArticle(source) : null;
    },

    async search(query: QueryNode, options: SearchOptions): Promise<SearchResult> {
      const limit = requireLimit(options.limit, MAX_SEARCH_LIMIT, 'limit');
      const sort = options.sort ?? 'date';
      if (sort !== 'date' && sort !== 'relevance') {
        throw new ValidationError('invalid_sort', `article-store: sort must be 'relevance' or 'date'`);
      }
      const facetFields = options.facets ?? [];
      const facetLimit = facetLimitOf(options.facetLimit);
      let searchAfter: [number, string] | [number, number, string] | undefined;
      if (options.cursor !== undefined) {
        if (sort === 'relevance') {
          const c = decodeRelevanceCursor(options.cursor);
          searchAfter = [c.score, c.dateMs, c.id];
        } else {
          const c = decodeCursor(options.cursor);
          searchAfter = [c.dateMs, c.id];
        }
      }
      const body = searchRequest({
        query,
        limit,
        sort,
        ...(options.from !== undefined ? { from: options.from } : {}),
        ...(options.to !== undefined ? { to: options.to } : {}),
        ...(options.outlets ? { outlets: options.outlets } : {}),
        ...(searchAfter ? { searchAfter } : {}),
        ...(facetFields.length > 0
          ? { facets: facetFields, facetLimit, groupOutlets: [...(options.outletGroups?.keys() ?? [])] }
          : {}),
      });
      await ready();
      const response = await client.search<Partial<ArticleDocument>>({ index: names.articlesRead, ...body });
      const hits = hitsOf(response);
      const page = hits.slice(0, limit);
      const lastHit = page[page.length - 1];
      const last = lastHit?._source;
      let nextCursor: string | null = null;
      if (hits.length > limit && last) {
        const date = last.date ?? '';
        const id = last.id ?? '';
        // The score as Elasticsearch sorted by it (the first sort value), so search_after resumes exactly there.
        const score = typeof lastHit.sort?.[0] === 'number' ? lastHit.sort[0] : 0;
        nextCursor = sort === 'relevance' ? encodeRelevanceCursor({ score, date, id }) : encodeCursor({ date, id });
      }
      return {
        total: totalOf(response),
        hits: await withClusterSizes(client, names, page.map((h) => sourceToHit(h._source ?? {}, h.highlight))),
        nextCursor,
        ...(facetFields.length > 0
          ? { facets: toFacets(response as { aggregations?: Record<string, unknown> }, facetFields, facetLimit, options.outletGroups) }
          : {}),
      };
    },

    async *exportArticles(query: QueryNode, options: ExportOptions): AsyncGenerator<ExportRow> {
      const pageSize = requireLimit(options.pageSize ?? DEFAULT_EXPORT_PAGE, MAX_EXPORT_PAGE, 'pageSize');
      const input = {
        query,
        pageSize,
        ...(options.from !== undefined ? { from: options.from } : {}),
        ...(options.to !== undefined ? { to: options.to } : {}),
        ...(options.outlets ? { outlets: options.outlets } : {}),
      };
      // Built once before any request: a bad date fails the first read before anything is sent.
      exportPageRequest(input);
      await ready();
      let searchAfter: [number, string] | undefined;
      for (;;) {
        const body = exportPageRequest({ ...input, ...(searchAfter ? { searchAfter } : {}) });
        const response = await client.search<Partial<ArticleDocument>>({ index: names.articlesRead, ...body });
        const hits = hitsOf(response);
        for (const hit of hits) yield sourceToExportRow(hit._source ?? {});
        const last = hits[hits.length - 1];
        if (!last || hits.length < pageSize) return;
        const [dateMs, id] = last.sort ?? [];
        searchAfter = [
          typeof dateMs === 'number' ? dateMs : Date.parse(last._source?.date ?? ''),
          typeof id === 'string' ? id : (last._source?.id ?? ''),
        ];
      }
    },

    async topTerms(query: QueryNode, options: TopTermsOptions): Promise<TermCount[]> {
      const limit = requireLimit(options.limit, MAX_TERMS_LIMIT, 'limit');
      const body = topTermsRequest(query, options, options.field, limit);
      await ready();
      const response = await client.search({ index: names.articlesRead, ...body });
      return toTermCounts(response as Parameters<typeof toTermCounts>[0]);
    },

    async count() {
      await ready();
      const response = await client.count({ index: names.articlesRead });
      return response.count;
    },

    async articleCountsByFeed() {
      await ready();
      const counts = new Map<string, number>();
      let after: Record<string, unknown> | undefined;
      for (;;) {
        const response = await client.search({ index: names.articlesRead, ...feedCountsRequest(after) });
        const agg = (response.aggregations as { feeds?: { buckets?: { key: { feed: string }; doc_count: number }[]; after_key?: Record<string, unknown> } } | undefined)?.feeds;
        const buckets = agg?.buckets ?? [];
        for (const b of buckets) counts.set(b.key.feed, b.doc_count);
        if (buckets.length === 0 || !agg?.after_key) break;
        after = agg.after_key;
      }
      return counts;
    },

    async listAlertEvents(alertId, limit) {
      const size = requireLimit(limit, MAX_LIST_LIMIT, 'limit');
      await ready();
      const response = await client.search<AlertEvent>({ index: names.alertEvents, ...listEventsRequest(alertId, size) });
      return hitsOf(response).flatMap((h) => (h._source ? [h._source] : []));
    },

    async dueDeliveries(now, limit) {
      const size = requireLimit(limit, MAX_LIST_LIMIT, 'limit');
      await ready();
      const response = await client.search<AlertEvent>({ index: names.alertEvents, ...dueEventsRequest(now.toISOString(), size) });
      return hitsOf(response).flatMap((h) => (h._source ? [h._source] : []));
    },

    async recordDelivery(eventId: string, outcome: DeliveryOutcome) {
      const status: AlertEvent['deliveryStatus'] = outcome.ok ? 'delivered' : outcome.retryAt ? 'pending' : 'failed';
      const params = {
        status,
        error: outcome.ok ? null : outcome.error,
        next: !outcome.ok && outcome.retryAt ? outcome.retryAt.toISOString() : null,
      };
      await ready();
      try {
        await client.update({
          index: names.alertEvents,
          id: eventId,
          script: { source: RECORD_DELIVERY_SCRIPT, lang: 'painless', params },
          retry_on_conflict: 3,
          ...(refresh ? { refresh } : {}),
        });
      } catch (err) {
        if (statusOf(err) === 404 || errorType(err) === 'document_missing_exception') {
          throw new NotFoundError('alert_event_not_found', `article-store: no alert event ${eventId}`, { cause: err });
        }
        throw err;
      }
    },

    async close() {
      await client.close();
    },
  };
}
