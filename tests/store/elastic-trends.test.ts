/**
 * Elasticsearch trends beyond one series: golden request bodies (zoned histograms, by-outlet terms, by-tag filters,
 * the actor x theme matrix, unique stories per outlet) recorded through the real client, and the mapping of
 * hand-written responses back to the port's shapes. No server: the recording Connection answers.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { QueryNode } from '../../core/query/ast.ts';
import { createElasticArticleStore } from '../../store/elastic/elastic-article-store.ts';
import { toBreakdownSeries, toCoOccurrence, toStoryBreakdown } from '../../store/elastic/trends.ts';
import { golden, recordingClient, type Route } from './elastic-recording-connection.ts';

const emptyAgg: Route = ['POST', /^\/articles\/_search$/, () => ({ body: { hits: { total: { value: 0, relation: 'eq' }, hits: [] }, aggregations: {} } })];
const tag = (field: 'actor' | 'outlet', value: string): QueryNode => ({ kind: 'tag', field, value });
const at = (iso: string) => Date.parse(iso);

describe('trend and matrix request goldens', () => {
  let goldens: Record<string, unknown>;
  beforeEach(async () => {
    goldens = (await golden('elastic-trends.json')) as Record<string, unknown>;
  });

  it('sends zoned histograms, breakdown aggregations and the matrix as in the golden file', async () => {
    const { client, requests } = recordingClient([emptyAgg]);
    const store = createElasticArticleStore({ client, manageIndices: false });
    await store.countOverTime(tag('actor', 'white-helmets'), { interval: 'hour', timeZone: 'Europe/Berlin', from: '2024-03-30', to: '2024-04-01' });
    await store.countOverTime({ kind: 'all' }, { interval: 'week', breakdown: 'outlet', outlets: ['rt', 'bbc'] });
    await store.countOverTime({ kind: 'all' }, {
      interval: 'month', timeZone: 'Asia/Kolkata', breakdown: 'tag',
      outletTags: { rt: ['state-affiliated'], aljazeera: ['state-affiliated', 'qatar'], bbc: [] },
    });
    await store.coOccurrence({ kind: 'all' }, { actors: ['a1', 'a2'], themes: ['t1'], interval: 'day', timeZone: 'Europe/Berlin', from: '2024-03-01' });
    await store.coOccurrence({ kind: 'term', field: 'text', value: 'idlib' }, { actors: ['a1'], themes: ['t1', 't2'], outlets: ['rt'] });
    await store.countOverTime({ kind: 'all' }, { interval: 'day', count: 'stories', breakdown: 'outlet' });
    expect(requests.map((r) => r.body)).toEqual([
      goldens['countOverTime hour, Europe/Berlin'],
      goldens['countOverTime week by outlet'],
      goldens['countOverTime month by tag, Asia/Kolkata'],
      goldens['coOccurrence by day, Europe/Berlin'],
      goldens['coOccurrence overall, filtered'],
      goldens['stories by outlet, first page'],
    ]);
  });

  it('refuses a bad zone and an empty matrix side before sending anything', async () => {
    const { client, requests } = recordingClient([emptyAgg]);
    const store = createElasticArticleStore({ client, manageIndices: false });
    await expect(store.countOverTime({ kind: 'all' }, { interval: 'day', timeZone: 'Nowhere/Atlantis' })).rejects.toThrow(/time zone/);
    await expect(store.coOccurrence({ kind: 'all' }, { actors: [], themes: ['t1'] })).rejects.toThrow(/actors/);
    expect(requests).toEqual([]);
  });
});

describe('trend and matrix responses', () => {
  const histogram = (keys: [string, number][]) => ({ buckets: keys.map(([iso, n]) => ({ key: at(iso), doc_count: n })) });

  it('labels Berlin day buckets with their offset across the DST change, and refuses misaligned keys', () => {
    const response = {
      hits: { total: { value: 5 } },
      aggregations: {
        over_time: histogram([['2024-03-30T23:00:00Z', 3], ['2024-03-31T22:00:00Z', 2]]),
        fallback_dates: { doc_count: 1 },
        groups: {
          buckets: [
            { key: 'rt', doc_count: 4, over_time: histogram([['2024-03-30T23:00:00Z', 3], ['2024-03-31T22:00:00Z', 1]]), fallback_dates: { doc_count: 1 } },
            { key: 'bbc', doc_count: 1, over_time: histogram([['2024-03-31T22:00:00Z', 1]]), fallback_dates: { doc_count: 0 } },
          ],
        },
      },
    };
    const got = toBreakdownSeries(response, { interval: 'day', timeZone: 'Europe/Berlin', breakdown: 'outlet' });
    expect(got.points).toEqual([
      { t: '2024-03-31T00:00:00+01:00', count: 3 },
      { t: '2024-04-01T00:00:00+02:00', count: 2 },
    ]);
    expect(got.total).toBe(5);
    expect(got.groups?.map((g) => [g.key, g.total, g.fallbackDateCount, g.points.length])).toEqual([
      ['bbc', 1, 0, 1],
      ['rt', 4, 1, 2],
    ]);
    // Midnight UTC is 01:00 in Berlin: not a Berlin day start.
    const shifted = { aggregations: { over_time: histogram([['2024-03-31T00:00:00Z', 1]]) } };
    expect(() => toBreakdownSeries(shifted, { interval: 'day', timeZone: 'Europe/Berlin', breakdown: 'outlet' })).toThrow(/not a Europe\/Berlin day start/);
  });

  it('maps the filters of a tag breakdown back to tags, untagged as null, skipping empty groups', () => {
    const outletTags = { rt: ['state-affiliated'], aljazeera: ['state-affiliated', 'qatar'] };
    const response = {
      aggregations: {
        over_time: histogram([['2024-03-01T00:00:00Z', 4]]),
        groups: {
          buckets: {
            tag_0: { doc_count: 0, over_time: histogram([]) },
            tag_1: { doc_count: 3, over_time: histogram([['2024-03-01T00:00:00Z', 3]]) },
            untagged: { doc_count: 1, over_time: histogram([['2024-03-01T00:00:00Z', 1]]) },
          },
        },
      },
    };
    const got = toBreakdownSeries(response, { interval: 'month', breakdown: 'tag', outletTags });
    expect(got.groups).toEqual([
      { key: 'state-affiliated', points: [{ t: '2024-03-01', count: 3 }], total: 3, fallbackDateCount: 0 },
      { key: null, points: [{ t: '2024-03-01', count: 1 }], total: 1, fallbackDateCount: 0 },
    ]);
  });

  it('folds per-outlet story firsts into groups and the whole, each story at its earliest copy', () => {
    const firsts = [
      { cluster: 'c1', outlet: 'rt', date: '2024-03-05T10:00:00.000Z', dateIsFallback: false },
      { cluster: 'c1', outlet: 'aljazeera', date: '2024-03-04T10:00:00.000Z', dateIsFallback: false },
      { cluster: 'c2', outlet: 'bbc', date: '2024-03-05T10:00:00.000Z', dateIsFallback: true },
    ];
    const byOutlet = toStoryBreakdown(firsts, { interval: 'day', breakdown: 'outlet' });
    expect(byOutlet.total).toBe(2);
    expect(byOutlet.points).toEqual([{ t: '2024-03-04', count: 1 }, { t: '2024-03-05', count: 1 }]);
    expect(byOutlet.groups?.map((g) => [g.key, g.total])).toEqual([['aljazeera', 1], ['bbc', 1], ['rt', 1]]);
    const byTag = toStoryBreakdown(firsts, { interval: 'day', breakdown: 'tag', outletTags: { rt: ['state'], aljazeera: ['state'] } });
    // c1 is one story for the "state" tag, on the day of its earlier copy.
    expect(byTag.groups).toEqual([
      { key: 'state', points: [{ t: '2024-03-04', count: 1 }], total: 1, fallbackDateCount: 0 },
      { key: null, points: [{ t: '2024-03-05', count: 1 }], total: 1, fallbackDateCount: 1 },
    ]);
  });

  it('maps the matrix: every pair overall (zeros included) and the non-zero cells per bucket', () => {
    const response = {
      aggregations: {
        actors: {
          buckets: [
            { key: 'a2', themes: { buckets: [{ key: 't1', doc_count: 2, over_time: histogram([['2024-03-03T23:00:00Z', 2]]) }] } },
            { key: 'a1', themes: { buckets: [{ key: 't1', doc_count: 1, over_time: histogram([['2024-03-03T23:00:00Z', 1]]) }] } },
          ],
        },
      },
    };
    expect(toCoOccurrence(response, { actors: ['a1', 'a2'], themes: ['t1', 't2'], interval: 'day', timeZone: 'Europe/Berlin' })).toEqual({
      cells: [
        { actor: 'a1', theme: 't1', count: 1 },
        { actor: 'a1', theme: 't2', count: 0 },
        { actor: 'a2', theme: 't1', count: 2 },
        { actor: 'a2', theme: 't2', count: 0 },
      ],
      buckets: [{ t: '2024-03-04T00:00:00+01:00', cells: [{ actor: 'a1', theme: 't1', count: 1 }, { actor: 'a2', theme: 't1', count: 2 }] }],
    });
  });
});
