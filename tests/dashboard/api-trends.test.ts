/** Trends: the zoned grid (pure) and GET /api/trends against real SQLite stores — zones, breakdowns, normalization. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createZoneBuckets } from '../../core/time-buckets.ts';
import { trendGrid } from '../../dashboard/api/routes/trends.ts';
import type { ErrorResponse, TrendsResponse } from '../../dashboard/api/schemas.ts';
import { ARTICLES, makeArticle, setupApi, type TestEnv } from './api-fixtures.ts';

const ms = (iso: string): number => Date.parse(iso);
const utcDay = (day: string): string => `${day}T00:00:00+00:00`;

describe('trendGrid', () => {
  it('runs from the bucket of from to the bucket before to, weeks from Monday', () => {
    const zb = createZoneBuckets('week');
    const grid = trendGrid(zb, [[{ t: '2018-02-12', count: 1 }]], { fromMs: ms('2018-02-11T23:59:00Z'), toMs: ms('2018-02-20T00:00:00Z') });
    expect(grid.map((b) => zb.iso(b.start))).toEqual([utcDay('2018-02-05'), utcDay('2018-02-12'), utcDay('2018-02-19')]);
    expect(zb.iso(grid[2]?.end ?? 0)).toBe(utcDay('2018-02-26'));
  });

  it('follows local midnights across a DST change: a 23-hour day in Berlin', () => {
    const zb = createZoneBuckets('day', 'Europe/Berlin');
    const grid = trendGrid(zb, [], { fromMs: ms('2018-03-24T23:00:00Z'), toMs: ms('2018-03-26T22:00:00Z') });
    expect(grid.map((b) => zb.iso(b.start))).toEqual(['2018-03-25T00:00:00+01:00', '2018-03-26T00:00:00+02:00']);
    expect(((grid[0]?.end ?? 0) - (grid[0]?.start ?? 0)) / 3_600_000).toBe(23);
  });

  it('spans the points when no bounds are given, and nothing when there are none', () => {
    const zb = createZoneBuckets('day');
    expect(trendGrid(zb, [[{ t: '2018-02-04', count: 1 }], [{ t: '2018-02-02', count: 2 }]], {}).length).toBe(3);
    expect(trendGrid(zb, [[], []], {})).toEqual([]);
  });

  it('refuses a grid with too many buckets', () => {
    expect(() => trendGrid(createZoneBuckets('day'), [[]], { fromMs: ms('1900-01-01'), toMs: ms('2018-01-01') })).toThrow(/buckets/);
  });
});

describe('GET /api/trends', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await setupApi();
  });
  afterEach(async () => {
    await env.cleanup();
  });
  const get = async (qs: string): Promise<TrendsResponse> => {
    const res = await env.app.request(`/api/trends?${qs}`);
    expect(res.status).toBe(200);
    return (await res.json()) as TrendsResponse;
  };

  it('returns one dense weekly series per q, labelled by actor and theme names', async () => {
    const body = await get(`q=${encodeURIComponent('actor:white-helmets')}&q=${encodeURIComponent('theme:"Chemical attacks"')}&interval=week`);
    expect(body.interval).toBe('week');
    expect(body.timeZone).toBe('UTC');
    expect(body.series.map((s) => s.label)).toEqual(['White Helmets', 'Chemical attacks']);
    // Weeks of 2018-02-05, -12 and -19; the middle one has no article in either series.
    const weeks = ['2018-02-05', '2018-02-12', '2018-02-19'].map(utcDay);
    expect(body.buckets).toEqual(weeks);
    expect(body.end).toBe(utcDay('2018-02-26'));
    const [helmets, chemical] = body.series;
    expect(helmets?.points.map((p) => [p.t, p.count])).toEqual([[weeks[0], 1], [weeks[1], 0], [weeks[2], 1]]);
    expect(helmets?.total).toBe(2);
    expect(helmets?.fallbackDateCount).toBe(1);
    expect(chemical?.points.map((p) => p.count)).toEqual([1, 0, 1]);
    // Not normalized: no total or share on the points.
    expect(helmets?.points[0]).not.toHaveProperty('share');
  });

  it('accepts a single q and fills a daily grid between from and to', async () => {
    const body = await get('q=sochi&interval=day&from=2018-02-06&to=2018-02-09');
    expect(body.series[0]?.points.map((p) => [p.t, p.count])).toEqual([
      [utcDay('2018-02-06'), 0],
      [utcDay('2018-02-07'), 1],
      [utcDay('2018-02-08'), 0],
    ]);
  });

  it('buckets in the requested zone: the BBC pieces of 20 and 21 Feb (UTC) share 20 Feb in Los Angeles', async () => {
    const utc = await get('q=&interval=day&from=2018-02-19&to=2018-02-22');
    expect(utc.series[0]?.points.map((p) => p.count)).toEqual([0, 1, 1]);
    const la = await get(`q=&interval=day&tz=${encodeURIComponent('America/Los_Angeles')}&from=2018-02-19&to=2018-02-22`);
    expect(la.timeZone).toBe('America/Los_Angeles');
    // from/to are UTC instants: 2018-02-18T16:00-08:00 .. 2018-02-21T16:00-08:00.
    expect(la.series[0]?.points.map((p) => [p.t, p.count])).toEqual([
      ['2018-02-18T00:00:00-08:00', 0],
      ['2018-02-19T00:00:00-08:00', 0],
      ['2018-02-20T00:00:00-08:00', 2],
      ['2018-02-21T00:00:00-08:00', 0],
    ]);
  });

  it('counts by hour', async () => {
    const body = await get('q=sochi&interval=hour&from=2018-02-07T07:00:00Z&to=2018-02-07T10:00:00Z');
    expect(body.series[0]?.points.map((p) => [p.t, p.count])).toEqual([
      ['2018-02-07T07:00:00+00:00', 0],
      ['2018-02-07T08:00:00+00:00', 1],
      ['2018-02-07T09:00:00+00:00', 0],
    ]);
  });

  it('breaks down by outlet: one series per outlet, named, summing to the whole', async () => {
    const whole = await get('q=syria&interval=week');
    const split = await get('q=syria&interval=week&breakdown=outlet');
    expect(split.breakdown).toBe('outlet');
    expect(split.series.map((s) => [s.group?.key, s.label, s.total])).toEqual([
      ['rt', 'RT', 2],
      ['bbc', 'BBC News', 1],
    ]);
    const summed = whole.series[0]?.points.map((_, i) => split.series.reduce((n, s) => n + (s.points[i]?.count ?? 0), 0));
    expect(summed).toEqual(whole.series[0]?.points.map((p) => p.count));
    expect(split.series.reduce((n, s) => n + s.total, 0)).toBe(whole.series[0]?.total);
  });

  it('breaks down by outlet tag, untagged outlets as their own series, and merges groups beyond `groups`', async () => {
    const body = await get('q=&interval=month&breakdown=tag');
    expect(body.series.map((s) => [s.group?.key, s.label, s.total])).toEqual([
      ['state-affiliated', 'state-affiliated', 2],
      [null, 'untagged', 2],
    ]);
    const merged = await get('q=&interval=month&breakdown=outlet&groups=1');
    expect(merged.series.map((s) => [s.group?.key, s.group?.other ?? false, s.total])).toEqual([
      ['bbc', false, 2],
      [null, true, 2],
    ]);
    expect(merged.series[1]?.group?.keys).toEqual(['rt']);
  });

  it('normalizes: total = all articles of the bucket under the same filters, share = count / total', async () => {
    const body = await get('q=chemical&interval=week&normalize=true');
    expect(body.normalized).toBe(true);
    const points = body.series[0]?.points ?? [];
    // Week of Feb 5: 1 of 2 articles; Feb 12: none at all; Feb 19: 1 of 2.
    expect(points.map((p) => [p.count, p.total, p.share])).toEqual([
      [1, 2, 0.5],
      [0, 0, null],
      [1, 2, 0.5],
    ]);
    // Within a breakdown group the denominator is that group's articles.
    const split = await get('q=chemical&interval=week&normalize=true&breakdown=outlet');
    for (const s of split.series) {
      for (const p of s.points) {
        expect(p.share).toBe(p.total ? p.count / p.total : null);
      }
    }
    const rt = split.series.find((s) => s.group?.key === 'rt');
    expect(rt?.points[0]).toMatchObject({ count: 1, total: 2, share: 0.5 });
    // The outlet filter narrows the denominator too.
    const bbcOnly = await get('q=chemical&interval=week&normalize=true&outlet=bbc&from=2018-02-05&to=2018-02-26');
    expect(bbcOnly.series[0]?.points[2]).toMatchObject({ count: 1, total: 2, share: 0.5 });
    expect(bbcOnly.series[0]?.points[0]).toMatchObject({ count: 0, total: 0, share: null });
  });

  it('combines unique stories with a breakdown and normalization', async () => {
    const copies = await get('q=syria&interval=week&breakdown=outlet&normalize=true');
    const stories = await get('q=syria&interval=week&breakdown=outlet&normalize=true&count=stories');
    expect(stories.count).toBe('stories');
    // No article of the fixture has a copy: every story is one article.
    expect(stories.series.map((s) => s.points.map((p) => [p.count, p.total]))).toEqual(copies.series.map((s) => s.points.map((p) => [p.count, p.total])));
  });

  it('answers a bad zone, interval or breakdown with 400 naming the parameter', async () => {
    const bad = await env.app.request('/api/trends?q=syria&tz=Mars/Base');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorResponse).error).toMatchObject({ code: 'invalid_time_zone', param: 'tz' });
    const interval = await env.app.request('/api/trends?q=syria&interval=minute');
    expect(((await interval.json()) as ErrorResponse).error).toMatchObject({ code: 'invalid_request', param: 'interval' });
    const breakdown = await env.app.request('/api/trends?q=syria&breakdown=country');
    expect(((await breakdown.json()) as ErrorResponse).error).toMatchObject({ code: 'invalid_request', param: 'breakdown' });
  });

  it('names the failing series in a query error', async () => {
    const res = await env.app.request(`/api/trends?q=syria&q=${encodeURIComponent('"open')}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorResponse;
    expect(body.error).toMatchObject({ code: 'query_syntax', param: 'q.1', position: 0 });
  });

  it('requires at least one q', async () => {
    const res = await env.app.request('/api/trends?interval=week');
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorResponse;
    expect(body.error).toMatchObject({ code: 'invalid_request', param: 'q' });
  });

  it('puts an article into the local day of the zone, stored at any instant', async () => {
    // 23:30 UTC on 6 Feb is 7 Feb in Berlin (+01:00).
    const late = makeArticle({ slug: 'late', title: 'Late sochi note', text: 'Sochi late.', outletId: 'rt', publishedAt: '2018-02-06T23:30:00.000Z' });
    await env.stores.articles.insertArticles([{ article: late, alertIds: [] }], new Date('2018-03-01T00:00:00Z'));
    const berlin = await get('q=sochi&interval=day&tz=Europe/Berlin&from=2018-02-06T00:00:00%2B01:00&to=2018-02-08T00:00:00%2B01:00');
    expect(berlin.series[0]?.points.map((p) => [p.t, p.count])).toEqual([
      ['2018-02-06T00:00:00+01:00', 0],
      ['2018-02-07T00:00:00+01:00', 2],
    ]);
    expect(ARTICLES.length).toBe(4);
  });
});
