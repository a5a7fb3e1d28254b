/**
 * Syndication clusters in Elasticsearch: request bodies and response mappings (pure, golden-tested), candidate
 * matching for an insert, the unique-story trend count, and the cluster reads of the port.
 */
import type { QueryNode } from '../../core/query/ast.ts';
import { createZoneBuckets, UTC_ZONE } from '../../core/time-buckets.ts';
import type { TrendInterval, TrendPoint } from '../../core/types.ts';
import type { ArticleCluster, ClusterSummary, DateRange, SearchHit, TrendSeriesResult } from '../article-store.ts';
import { chooseCluster, clusterLimit, withDelays, type ClusterCandidate } from '../sqlite/clusters.ts';
import type { ElasticClient } from './client.ts';
import { minhashSignatureOf, type ArticleDocument, type MinhashField } from './document.ts';
import type { ElasticNames } from './mapping.ts';
import { storeQuery } from './requests.ts';

/** Band keys per candidate request: far below the 65,536 terms a terms query accepts. */
const BANDS_PER_REQUEST = 4096;
/** Candidates read per request (index.max_result_window). */
const MAX_CANDIDATES = 10_000;
/** Clusters per page of the unique-story count. */
export const STORY_PAGE_SIZE = 1000;

/** Stored articles sharing any of the band keys, with what the same-story rule needs. */
export function candidatesRequest(bandKeys: readonly number[]): Record<string, unknown> {
  return {
    query: { terms: { 'minhash.bands': [...bandKeys] } },
    size: MAX_CANDIDATES,
    _source: ['id', 'clusterId', 'outletId', 'minhash'],
  };
}

/** Members of a cluster in origin order (date, then firstSeenAt, then id), with the exact size. */
export function clusterMembersRequest(clusterId: string, limit: number): Record<string, unknown> {
  return {
    query: { term: { clusterId } },
    sort: [{ date: { order: 'asc' } }, { firstSeenAt: { order: 'asc' } }, { id: { order: 'asc' } }],
    size: limit,
    track_total_hits: true,
    _source: ['id', 'title', 'url', 'outletId', 'date', 'dateIsFallback', 'firstSeenAt'],
  };
}

/** Size of each of the given clusters. */
export function clusterSizesRequest(clusterIds: readonly string[]): Record<string, unknown> {
  return {
    size: 0,
    query: { terms: { clusterId: [...clusterIds] } },
    aggs: { sizes: { terms: { field: 'clusterId', size: clusterIds.length } } },
  };
}

/**
 * One page of the unique-story count: every cluster among the matches (composite aggregation, exact and
 * pageable) with its earliest matching article's date (top_hits sorted like the cluster view).
 */
export function storiesRequest(
  query: QueryNode,
  range: DateRange,
  outlets: readonly string[] | undefined,
  after?: Record<string, unknown>,
  byOutlet = false,
): Record<string, unknown> {
  // byOutlet (a trend breakdown): one bucket per (outlet, cluster), the earliest copy within each outlet.
  const sources = byOutlet
    ? [{ outlet: { terms: { field: 'outletId' } } }, { cluster: { terms: { field: 'clusterId' } } }]
    : [{ cluster: { terms: { field: 'clusterId' } } }];
  return {
    size: 0,
    track_total_hits: true,
    query: storeQuery(query, range, outlets),
    aggs: {
      stories: {
        composite: {
          size: STORY_PAGE_SIZE,
          sources,
          ...(after ? { after } : {}),
        },
        aggs: {
          first: {
            top_hits: {
              size: 1,
              sort: [{ date: { order: 'asc' } }, { firstSeenAt: { order: 'asc' } }, { id: { order: 'asc' } }],
              _source: ['date', 'dateIsFallback'],
            },
          },
        },
      },
    },
  };
}

interface StoriesResponse {
  aggregations?: {
    stories?: {
      after_key?: Record<string, unknown>;
      buckets?: {
        key?: { outlet?: string; cluster?: string };
        first?: { hits?: { hits?: { _source?: { date?: string; dateIsFallback?: boolean } }[] } };
      }[];
    };
  };
}

/** The first matching article of a story (within an outlet when the request was byOutlet). */
export interface StoryFirst {
  date: string;
  dateIsFallback: boolean;
  cluster?: string;
  outlet?: string;
}

/** The first article of each cluster on a stories page, and the key of the next page (null on the last). */
export function toStoryFirsts(response: StoriesResponse): { firsts: StoryFirst[]; after: Record<string, unknown> | null } {
  const agg = response.aggregations?.stories;
  const buckets = agg?.buckets ?? [];
  const firsts = buckets.flatMap((b): StoryFirst[] => {
    const src = b.first?.hits?.hits?.[0]?._source;
    if (!src?.date) return [];
    return [
      {
        date: src.date,
        dateIsFallback: src.dateIsFallback === true,
        ...(b.key?.cluster !== undefined ? { cluster: b.key.cluster } : {}),
        ...(b.key?.outlet !== undefined ? { outlet: b.key.outlet } : {}),
      },
    ];
  });
  return { firsts, after: buckets.length > 0 && agg?.after_key ? agg.after_key : null };
}

/** Bucket label of an ISO date, as the SQLite store labels it (UTC unless `timeZone` says otherwise). */
export function bucketLabel(iso: string, interval: TrendInterval, timeZone: string = UTC_ZONE): string {
  const zb = createZoneBuckets(interval, timeZone);
  return zb.label(zb.start(Date.parse(iso)));
}

/** The trend series of one story per cluster, each in the bucket of its first matching article. */
export function toStorySeries(
  firsts: readonly { date: string; dateIsFallback: boolean }[],
  interval: TrendInterval,
  timeZone: string = UTC_ZONE,
): TrendSeriesResult {
  const zb = createZoneBuckets(interval, timeZone);
  const counts = new Map<number, number>();
  let fallbackDateCount = 0;
  for (const f of firsts) {
    const b = zb.start(Date.parse(f.date));
    counts.set(b, (counts.get(b) ?? 0) + 1);
    if (f.dateIsFallback) fallbackDateCount++;
  }
  const points: TrendPoint[] = [...counts.entries()].sort(([a], [b]) => a - b).map(([ms, count]) => ({ t: zb.label(ms), count }));
  return { points, total: firsts.length, fallbackDateCount };
}

/**
 * Per-outlet firsts folded into stories of a group: a story counts once per group, at the earliest of its copies
 * among the group's outlets (the same rule as the SQLite store's GROUP BY group, cluster).
 */
export function storyFirstsByGroup(
  firsts: readonly StoryFirst[],
  groupsOf: (outlet: string) => readonly (string | null)[],
): Map<string | null, StoryFirst[]> {
  const best = new Map<string | null, Map<string, StoryFirst>>();
  for (const f of firsts) {
    for (const g of groupsOf(f.outlet ?? '')) {
      const byCluster = best.get(g) ?? new Map<string, StoryFirst>();
      const seen = byCluster.get(f.cluster ?? '');
      if (!seen || Date.parse(f.date) < Date.parse(seen.date)) byCluster.set(f.cluster ?? '', f);
      best.set(g, byCluster);
    }
  }
  return new Map([...best.entries()].map(([g, m]) => [g, [...m.values()]]));
}

type CandidateSource = { id?: string; clusterId?: string; outletId?: string; minhash?: MinhashField | null };

/**
 * Sets `clusterId` on the documents about to be created: each joins the cluster of its most similar verified
 * candidate among stored articles and the documents before it in the same call (so the batch split does not
 * change the outcome). Unlike SQLite this is not atomic: two writers storing copies of a new story at the same
 * moment can each start a cluster. Returns the ids that joined an existing cluster.
 */
export async function assignClusters(client: ElasticClient, names: ElasticNames, docs: readonly ArticleDocument[]): Promise<string[]> {
  const withPrints = docs.filter((d) => d.minhash !== null);
  if (withPrints.length === 0) return [];
  const keys = [...new Set(withPrints.flatMap((d) => d.minhash?.bands ?? []))];
  const pool: (ClusterCandidate & { bands: Set<number> })[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < keys.length; i += BANDS_PER_REQUEST) {
    const response = await client.search<CandidateSource>({ index: names.articlesRead, ...candidatesRequest(keys.slice(i, i + BANDS_PER_REQUEST)) });
    for (const hit of response.hits.hits) {
      const src = hit._source;
      if (!src?.id || !src.minhash || seen.has(src.id)) continue;
      seen.add(src.id);
      pool.push({
        articleId: src.id,
        clusterId: src.clusterId ?? src.id,
        outletId: src.outletId ?? '',
        signature: minhashSignatureOf(src.minhash),
        shingleCount: src.minhash.shingles,
        bands: new Set(src.minhash.bands),
      });
    }
  }
  const joined: string[] = [];
  for (const doc of withPrints) {
    const minhash = doc.minhash;
    if (!minhash || seen.has(doc.id)) continue;
    const mine = { signature: minhashSignatureOf(minhash), shingleCount: minhash.shingles, outletId: doc.outletId };
    const candidates = pool.filter((c) => minhash.bands.some((k) => c.bands.has(k)));
    const chosen = chooseCluster(mine, candidates);
    if (chosen !== null) {
      doc.clusterId = chosen;
      joined.push(doc.id);
    }
    seen.add(doc.id);
    pool.push({ articleId: doc.id, clusterId: doc.clusterId, ...mine, bands: new Set(minhash.bands) });
  }
  return joined;
}

/** Adds `clusterSize` to hits that have a cluster id (one aggregation request per page). */
export async function withClusterSizes(client: ElasticClient, names: ElasticNames, hits: SearchHit[]): Promise<SearchHit[]> {
  const ids = [...new Set(hits.flatMap((h) => (h.clusterId !== undefined ? [h.clusterId] : [])))];
  if (ids.length === 0) return hits;
  const response = await client.search({ index: names.articlesRead, ...clusterSizesRequest(ids) });
  const buckets = (response.aggregations as { sizes?: { buckets?: { key: string; doc_count: number }[] } } | undefined)?.sizes?.buckets ?? [];
  const sizes = new Map(buckets.map((b) => [String(b.key), b.doc_count]));
  return hits.map((h) => (h.clusterId !== undefined ? { ...h, clusterSize: sizes.get(h.clusterId) ?? 1 } : h));
}

/** Every page of the unique-story count (per outlet and cluster when `byOutlet`). */
export async function collectStoryFirsts(
  client: ElasticClient,
  names: ElasticNames,
  query: QueryNode,
  range: DateRange,
  outlets: readonly string[] | undefined,
  byOutlet = false,
): Promise<StoryFirst[]> {
  const firsts: StoryFirst[] = [];
  let after: Record<string, unknown> | undefined;
  for (;;) {
    const response = await client.search({ index: names.articlesRead, ...storiesRequest(query, range, outlets, after, byOutlet) });
    const page = toStoryFirsts(response as StoriesResponse);
    firsts.push(...page.firsts);
    if (page.after === null) break;
    after = page.after;
  }
  return firsts;
}

/** Every page of the unique-story count, as a series. */
export async function countStories(
  client: ElasticClient,
  names: ElasticNames,
  query: QueryNode,
  range: DateRange,
  outlets: readonly string[] | undefined,
  interval: TrendInterval,
  timeZone: string = UTC_ZONE,
): Promise<TrendSeriesResult> {
  return toStorySeries(await collectStoryFirsts(client, names, query, range, outlets), interval, timeZone);
}

type MemberSource = Partial<Pick<ArticleDocument, 'id' | 'title' | 'url' | 'outletId' | 'date' | 'dateIsFallback' | 'firstSeenAt'>>;

/** The cluster reads of the port. */
export function createElasticClusterMethods(deps: { client: ElasticClient; names: ElasticNames; ready: () => Promise<void> }) {
  const { client, names, ready } = deps;
  const members = async (clusterId: string, limit: number) => {
    const response = await client.search<MemberSource>({ index: names.articlesRead, ...clusterMembersRequest(clusterId, limit) });
    const total = response.hits.total;
    const size = typeof total === 'number' ? total : (total?.value ?? 0);
    return { size, hits: response.hits.hits.flatMap((h) => (h._source ? [h._source] : [])) };
  };
  return {
    async getCluster(clusterId: string, limit?: number): Promise<ArticleCluster | null> {
      const n = clusterLimit(limit);
      await ready();
      const { size, hits } = await members(clusterId, n);
      const origin = hits[0];
      if (!origin) return null;
      return {
        id: clusterId,
        originId: origin.id ?? '',
        size,
        members: withDelays(
          hits.map((h) => ({
            id: h.id ?? '',
            title: h.title ?? '',
            url: h.url ?? '',
            outletId: h.outletId ?? '',
            date: h.date ?? '',
            dateIsFallback: h.dateIsFallback === true,
            firstSeenAt: h.firstSeenAt ?? '',
          })),
        ),
      };
    },

    async getArticleCluster(articleId: string): Promise<ClusterSummary | null> {
      await ready();
      const response = await client.search<{ clusterId?: string }>({
        index: names.articlesRead,
        query: { ids: { values: [articleId] } },
        size: 1,
        _source: ['clusterId'],
      });
      const hit = response.hits.hits[0];
      if (!hit) return null;
      const clusterId = hit._source?.clusterId ?? articleId;
      const { size, hits } = await members(clusterId, 1);
      return { clusterId, size: Math.max(size, 1), originId: hits[0]?.id ?? articleId };
    },
  };
}
