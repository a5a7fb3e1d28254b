/**
 * GET /api/trends?q=…&q=…: one count-over-time series per query (and per outlet or outlet tag with `breakdown`),
 * made dense on one grid of local buckets in the `tz` zone, optionally normalized to the share of all articles in
 * the bucket, each point flagged with whether the series' outlets were fetched successfully in it.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { ValidationError } from '../../../core/errors.ts';
import type { QueryNode } from '../../../core/query/ast.ts';
import { bucketGrid, createZoneBuckets, type ZoneBuckets } from '../../../core/time-buckets.ts';
import type { Outlet, TrendPoint } from '../../../core/types.ts';
import type { TrendGroupResult, TrendSeriesResult } from '../../../store/article-store.ts';
import type { ApiDeps } from '../deps.ts';
import { invalidRequest, zodHook } from '../errors.ts';
import { parseOutlets, parseRange, parseUserQuery } from '../params.ts';
import { loadCatalogLookup, type CatalogLookup } from '../resolve-query.ts';
import { TrendsQuerySchema, type TrendGroupView, type TrendPointView, type TrendSeries, type TrendsResponse } from '../schemas.ts';

/** About ten years of days; more points than a chart can show, and a cap on the response size. */
export const MAX_BUCKETS = 4000;

/** Zone buckets for a request parameter, a bad zone answered as a 400 naming `param`. */
export function zoneBucketsParam(interval: TrendsResponse['interval'], tz: string, param = 'tz'): ZoneBuckets {
  try {
    return createZoneBuckets(interval, tz);
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError(err.code, err.message, { cause: err, details: { param } });
    throw err;
  }
}

function parseBucket(t: string): number {
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw new Error(`trends: store returned an unparseable bucket "${t}"`);
  return ms;
}

/** Store points keyed by the start (epoch ms) of their bucket in `zb` (re-bucketed, so any label form lines up). */
export function pointsByBucket(zb: ZoneBuckets, points: readonly TrendPoint[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const p of points) {
    const b = zb.start(parseBucket(p.t));
    m.set(b, (m.get(b) ?? 0) + p.count);
  }
  return m;
}

/**
 * The grid every series is drawn on: from the bucket holding `fromMs` (else the earliest point of any series) to
 * the bucket holding the last instant before `toMs` (exclusive bound; else the latest point).
 * @throws invalid_request (param `interval`) beyond MAX_BUCKETS buckets
 */
export function trendGrid(
  zb: ZoneBuckets,
  series: readonly (readonly TrendPoint[])[],
  bounds: { fromMs?: number; toMs?: number },
): { start: number; end: number }[] {
  const all = series.flatMap((points) => points.map((p) => parseBucket(p.t)));
  let first = bounds.fromMs;
  let last = bounds.toMs !== undefined ? bounds.toMs - 1 : undefined;
  if (all.length > 0) {
    first ??= Math.min(...all);
    last ??= Math.max(...all);
  }
  first ??= last;
  last ??= first;
  if (first === undefined || last === undefined) return [];
  const grid = bucketGrid(zb, first, last, MAX_BUCKETS);
  if (grid === null) {
    throw invalidRequest(
      'interval',
      `the range spans more than ${MAX_BUCKETS} ${zb.interval} buckets; use a coarser interval or a shorter range`,
    );
  }
  return grid;
}

/** The actor or theme name when the whole query is one `actor:`/`theme:` tag, else the query text. */
function labelFor(text: string, query: QueryNode, lookup: CatalogLookup): string {
  if (query.kind === 'tag' && query.field === 'actor') return lookup.actorName(query.value) ?? query.value;
  if (query.kind === 'tag' && query.field === 'theme') return lookup.themeName(query.value) ?? query.value;
  if (query.kind === 'all') return 'all articles';
  return text;
}

// hono's query validator turns a single `q=` into a string and a repeated one into an array.
const toArray = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

interface GroupPlan {
  view: TrendGroupView;
  /** The store groups merged into this series (one, or several for `other`). */
  members: TrendGroupResult[];
  /** Outlets whose fetches cover the series; undefined = every outlet with a feed. */
  outlets: string[] | undefined;
}

/** Keeps the `limit` largest groups (ties by key) and merges the rest into one `other` group. */
function planGroups(
  result: TrendSeriesResult,
  by: 'outlet' | 'tag',
  limit: number,
  ctx: { lookup: CatalogLookup; outlets: readonly Outlet[]; filter: string[] | undefined },
): GroupPlan[] {
  const groups = [...(result.groups ?? [])].sort((a, b) => b.total - a.total || ((a.key ?? '\uffff') < (b.key ?? '\uffff') ? -1 : 1));
  const within = (ids: string[]): string[] => (ctx.filter ? ids.filter((id) => ctx.filter?.includes(id)) : ids);
  const outletsOfGroup = (g: TrendGroupResult): string[] => {
    if (by === 'outlet') return [g.key ?? ''];
    if (g.key === null) return within(ctx.outlets.filter((o) => o.tags.length === 0).map((o) => o.id));
    return within(ctx.outlets.filter((o) => o.tags.includes(g.key ?? '')).map((o) => o.id));
  };
  const kept = groups.slice(0, limit).map(
    (g): GroupPlan => ({
      view: {
        by,
        key: g.key,
        label: by === 'outlet' ? (ctx.lookup.outletName(g.key ?? '') ?? g.key ?? '') : (g.key ?? 'untagged'),
      },
      members: [g],
      outlets: outletsOfGroup(g),
    }),
  );
  const rest = groups.slice(limit);
  if (rest.length === 0) return kept;
  const keys = rest.map((g) => g.key ?? 'untagged');
  return [
    ...kept,
    {
      view: { by, key: null, label: by === 'outlet' ? `${rest.length} other outlets` : `${rest.length} other tags`, other: true, keys },
      members: rest,
      outlets: [...new Set(rest.flatMap(outletsOfGroup))],
    },
  ];
}

function sumMembers(zb: ZoneBuckets, members: readonly TrendGroupResult[]): { counts: Map<number, number>; total: number; fallbackDateCount: number } {
  const counts = new Map<number, number>();
  let total = 0;
  let fallbackDateCount = 0;
  for (const m of members) {
    for (const [b, n] of pointsByBucket(zb, m.points)) counts.set(b, (counts.get(b) ?? 0) + n);
    total += m.total;
    fallbackDateCount += m.fallbackDateCount;
  }
  return { counts, total, fallbackDateCount };
}

export function trendsRoutes(deps: ApiDeps) {
  return new Hono().get(
    '/',
    zValidator('query', TrendsQuerySchema, zodHook, {
      validationFunction: (schema, value) => schema.safeParseAsync({ ...value, q: toArray(value.q) }),
    }),
    async (c) => {
      const params = c.req.valid('query');
      const zb = zoneBucketsParam(params.interval, params.tz);
      const [lookup, catalogOutlets] = await Promise.all([loadCatalogLookup(deps.catalog), deps.catalog.listOutlets()]);
      const queries = params.q.map((text, i) => parseUserQuery(text, lookup, `q.${i}`));
      const parsedRange = parseRange(params.from, params.to);
      const outlets = parseOutlets(params.outlet, lookup);
      const outletTags = Object.fromEntries(catalogOutlets.map((o) => [o.id, o.tags]));
      const options = {
        ...parsedRange.range,
        interval: params.interval,
        timeZone: zb.timeZone,
        outlets,
        count: params.count,
        ...(params.breakdown ? { breakdown: params.breakdown, outletTags } : {}),
      };
      const all: QueryNode = { kind: 'all' };
      const [results, denominator] = await Promise.all([
        Promise.all(queries.map((query) => deps.articles.countOverTime(query, options))),
        // Media Cloud's "attention": the same filters (range, outlets, group, count mode) with no query.
        params.normalize ? deps.articles.countOverTime(all, options) : Promise.resolve(null),
      ]);
      const everyPoints = results.flatMap((r) => [r.points, ...(r.groups ?? []).map((g) => g.points)]);
      const grid = trendGrid(zb, everyPoints, parsedRange);

      const coverageCache = new Map<string, Promise<boolean[]>>();
      let coverageSince: string | null = null;
      const coverageOf = (ids: string[] | undefined): Promise<boolean[]> => {
        const key = ids === undefined ? '*' : JSON.stringify([...ids].sort());
        let pending = coverageCache.get(key);
        if (!pending) {
          pending = deps.catalog.fetchCoverage(grid, ids).then((r) => {
            coverageSince = r.historySince;
            return r.covered;
          });
          coverageCache.set(key, pending);
        }
        return pending;
      };

      const denominatorOf = (members: readonly TrendGroupResult[] | null): Map<number, number> | null => {
        if (!denominator) return null;
        if (members === null) return pointsByBucket(zb, denominator.points);
        const wanted = new Set(members.map((m) => m.key));
        return sumMembers(zb, (denominator.groups ?? []).filter((g) => wanted.has(g.key))).counts;
      };

      const build = async (
        counts: Map<number, number>,
        totals: Map<number, number> | null,
        coverageOutlets: string[] | undefined,
      ): Promise<TrendPointView[]> => {
        const covered = await coverageOf(coverageOutlets);
        return grid.map((b, i) => {
          const count = counts.get(b.start) ?? 0;
          const point: TrendPointView = { t: zb.iso(b.start), count, covered: covered[i] ?? false };
          if (totals) {
            const total = totals.get(b.start) ?? 0;
            point.total = total;
            point.share = total > 0 ? count / total : null;
          }
          return point;
        });
      };

      const series: TrendSeries[] = [];
      for (const [i, r] of results.entries()) {
        const text = params.q[i] ?? '';
        const label = labelFor(text, queries[i] ?? all, lookup);
        if (!params.breakdown) {
          series.push({
            query: text,
            label,
            points: await build(pointsByBucket(zb, r.points), denominatorOf(null), outlets),
            total: r.total,
            fallbackDateCount: r.fallbackDateCount,
          });
          continue;
        }
        for (const plan of planGroups(r, params.breakdown, params.groups, { lookup, outlets: catalogOutlets, filter: outlets })) {
          const sum = sumMembers(zb, plan.members);
          series.push({
            query: text,
            label: results.length === 1 ? plan.view.label : `${label} · ${plan.view.label}`,
            group: plan.view,
            points: await build(sum.counts, denominatorOf(plan.members), plan.outlets),
            total: sum.total,
            fallbackDateCount: sum.fallbackDateCount,
          });
        }
      }
      if (grid.length > 0) await coverageOf(outlets);
      const last = grid[grid.length - 1];
      const body: TrendsResponse = {
        interval: params.interval,
        timeZone: zb.timeZone,
        series,
        count: params.count,
        ...(params.breakdown ? { breakdown: params.breakdown } : {}),
        normalized: params.normalize,
        buckets: grid.map((b) => zb.iso(b.start)),
        end: last ? zb.iso(last.end) : null,
        coverageSince,
      };
      return c.json(body, 200);
    },
  );
}
