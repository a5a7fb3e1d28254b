/**
 * GET /api/trends?q=…&q=…: one count-over-time series per query, made dense (zero buckets included) on a
 * shared day/week/month grid so the chart can draw all series against one axis. `count=stories` counts each
 * syndication cluster once (in the bucket of its earliest matching article) instead of every copy.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import type { QueryNode } from '../../../core/query/ast.ts';
import type { TrendInterval, TrendPoint } from '../../../core/types.ts';
import type { ApiDeps } from '../deps.ts';
import { invalidRequest, zodHook } from '../errors.ts';
import { parseOutlets, parseRange, parseUserQuery } from '../params.ts';
import { loadCatalogLookup, type CatalogLookup } from '../resolve-query.ts';
import { TrendsQuerySchema, type TrendSeries, type TrendsResponse } from '../schemas.ts';

const DAY_MS = 86_400_000;
/** About ten years of days; more points than a chart can show, and a cap on the response size. */
export const MAX_BUCKETS = 4000;

/** Start (UTC epoch ms) of the bucket holding `ms`: the day, the Monday of the week, or the 1st of the month. */
export function bucketStart(interval: TrendInterval, ms: number): number {
  const d = new Date(ms);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (interval === 'day') return day;
  // getUTCDay: Sunday = 0, so Monday-based weeks step back (day + 6) % 7 days.
  if (interval === 'week') return day - ((d.getUTCDay() + 6) % 7) * DAY_MS;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function nextBucket(interval: TrendInterval, start: number): number {
  if (interval === 'day') return start + DAY_MS;
  if (interval === 'week') return start + 7 * DAY_MS;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

function bucketCount(interval: TrendInterval, first: number, last: number): number {
  if (interval === 'day') return Math.round((last - first) / DAY_MS) + 1;
  if (interval === 'week') return Math.round((last - first) / (7 * DAY_MS)) + 1;
  const a = new Date(first);
  const b = new Date(last);
  return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth()) + 1;
}

const formatBucket = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function parseBucket(t: string): number {
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw new Error(`trends: store returned an unparseable bucket "${t}"`);
  return ms;
}

/**
 * Fills every series with zero buckets on one grid. The grid runs from the bucket of `fromMs` (else the
 * earliest point of any series) to the bucket of the last instant before `toMs` (exclusive bound; else the
 * latest point). Store points are re-bucketed, so a store that labels weeks differently still lines up.
 */
export function densify(
  interval: TrendInterval,
  series: readonly (readonly TrendPoint[])[],
  bounds: { fromMs?: number; toMs?: number },
): TrendPoint[][] {
  const maps = series.map((points) => {
    const m = new Map<number, number>();
    for (const p of points) {
      const b = bucketStart(interval, parseBucket(p.t));
      m.set(b, (m.get(b) ?? 0) + p.count);
    }
    return m;
  });
  const all = maps.flatMap((m) => [...m.keys()]);
  let first = bounds.fromMs !== undefined ? bucketStart(interval, bounds.fromMs) : undefined;
  let last = bounds.toMs !== undefined ? bucketStart(interval, bounds.toMs - 1) : undefined;
  if (all.length > 0) {
    first ??= Math.min(...all);
    last ??= Math.max(...all);
  }
  first ??= last;
  last ??= first;
  if (first === undefined || last === undefined) return maps.map(() => []);
  const count = bucketCount(interval, first, last);
  if (count > MAX_BUCKETS) {
    throw invalidRequest(
      'interval',
      `the range spans ${count} ${interval} buckets, at most ${MAX_BUCKETS} are allowed; use a coarser interval or a shorter range`,
    );
  }
  const grid: number[] = [];
  for (let b = first; b <= last; b = nextBucket(interval, b)) grid.push(b);
  return maps.map((m) => grid.map((b) => ({ t: formatBucket(b), count: m.get(b) ?? 0 })));
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

export function trendsRoutes(deps: ApiDeps) {
  return new Hono().get(
    '/',
    zValidator('query', TrendsQuerySchema, zodHook, {
      validationFunction: (schema, value) => schema.safeParseAsync({ ...value, q: toArray(value.q) }),
    }),
    async (c) => {
      const params = c.req.valid('query');
      const lookup = await loadCatalogLookup(deps.catalog);
      const queries = params.q.map((text, i) => parseUserQuery(text, lookup, `q.${i}`));
      const parsedRange = parseRange(params.from, params.to);
      const outlets = parseOutlets(params.outlet, lookup);
      const results = await Promise.all(
        queries.map((query) =>
          deps.articles.countOverTime(query, { ...parsedRange.range, interval: params.interval, outlets, count: params.count }),
        ),
      );
      const dense = densify(
        params.interval,
        results.map((r) => r.points),
        parsedRange,
      );
      const series: TrendSeries[] = results.map((r, i) => {
        const text = params.q[i] ?? '';
        const query = queries[i] ?? { kind: 'all' };
        return {
          query: text,
          label: labelFor(text, query, lookup),
          points: dense[i] ?? [],
          total: r.total,
          fallbackDateCount: r.fallbackDateCount,
        };
      });
      const body: TrendsResponse = { interval: params.interval, series, count: params.count };
      return c.json(body, 200);
    },
  );
}
