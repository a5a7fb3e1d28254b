/**
 * The trends coverage overlay: fetch outcomes recorded by the catalog (migration 50's fetch log, pruned after
 * FETCH_LOG_RETENTION_DAYS) decide which buckets of a series count as covered by its outlets' fetches.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FETCH_LOG_RETENTION_DAYS, type FeedOutcome } from '../../store/catalog-store.ts';
import type { TrendsResponse } from '../../dashboard/api/schemas.ts';
import { setupApi, type TestEnv } from './api-fixtures.ts';

const DAY = 86_400_000;
const outcome = (at: string, status: FeedOutcome['status']): FeedOutcome => ({
  status,
  at: new Date(at),
  nextCheckAt: new Date(Date.parse(at) + 3_600_000),
  ...(status === 'error' ? { errorCode: 'http_500', errorMessage: 'boom' } : {}),
});

describe('fetch coverage', () => {
  let env: TestEnv;
  let rtFeed: string;
  let bbcFeed: string;
  beforeEach(async () => {
    env = await setupApi();
    const { catalog } = env.stores;
    rtFeed = (await catalog.addFeed('https://rt.example/rss', 'rt', new Date('2018-02-01T00:00:00Z'))).id;
    bbcFeed = (await catalog.addFeed('https://bbc.example/rss', 'bbc', new Date('2018-02-01T00:00:00Z'))).id;
    // RT: fetched fine on 5 Feb, not modified on 7 Feb, failing on 6 Feb. BBC: only a failure, on 20 Feb.
    await catalog.recordFeedOutcome(rtFeed, outcome('2018-02-05T12:00:00Z', 'ok'));
    await catalog.recordFeedOutcome(rtFeed, outcome('2018-02-06T12:00:00Z', 'error'));
    await catalog.recordFeedOutcome(rtFeed, outcome('2018-02-07T23:30:00Z', 'not_modified'));
    await catalog.recordFeedOutcome(bbcFeed, outcome('2018-02-20T12:00:00Z', 'error'));
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('answers per span from ok and not_modified fetches only, for the given outlets or all of them', async () => {
    const { catalog } = env.stores;
    const spans = ['2018-02-05', '2018-02-06', '2018-02-07', '2018-02-20'].map((d) => ({ start: Date.parse(`${d}T00:00:00Z`), end: Date.parse(`${d}T00:00:00Z`) + DAY }));
    expect((await catalog.fetchCoverage(spans)).covered).toEqual([true, false, true, false]);
    expect((await catalog.fetchCoverage(spans, ['bbc'])).covered).toEqual([false, false, false, false]);
    expect((await catalog.fetchCoverage(spans, ['rt', 'bbc'])).covered).toEqual([true, false, true, false]);
    expect((await catalog.fetchCoverage(spans, [])).covered).toEqual([false, false, false, false]);
    expect((await catalog.fetchCoverage(spans)).historySince).toBe('2018-02-05T12:00:00.000Z');
  });

  it('marks uncovered buckets per series: its outlets, or every feed; in the zone of the chart', async () => {
    const res = await env.app.request('/api/trends?q=&interval=day&from=2018-02-05&to=2018-02-08&breakdown=outlet');
    const body = (await res.json()) as TrendsResponse;
    const covered = Object.fromEntries(body.series.map((s) => [s.group?.key, s.points.map((p) => p.covered)]));
    // BBC has no article on these days, so no series; its only fetch (a failure on the 20th) covers nothing.
    expect(covered).toEqual({ rt: [true, false, true] });
    const bbc = (await (await env.app.request('/api/trends?q=&interval=day&from=2018-02-19&to=2018-02-22&outlet=bbc')).json()) as TrendsResponse;
    expect(bbc.series[0]?.points.map((p) => [p.count, p.covered])).toEqual([[0, false], [1, false], [1, false]]);
    expect(body.coverageSince).toBe('2018-02-05T12:00:00.000Z');
    const whole = (await (await env.app.request('/api/trends?q=&interval=day&from=2018-02-05&to=2018-02-08')).json()) as TrendsResponse;
    expect(whole.series[0]?.points.map((p) => p.covered)).toEqual([true, false, true]);
    // 7 Feb 23:30 UTC is 8 Feb in Berlin: the not_modified fetch covers the 8th there, not the 7th.
    const berlin = (await (await env.app.request('/api/trends?q=&interval=day&tz=Europe/Berlin&from=2018-02-05T00:00:00%2B01:00&to=2018-02-09T00:00:00%2B01:00&outlet=rt')).json()) as TrendsResponse;
    expect(berlin.series[0]?.points.map((p) => [p.t.slice(0, 10), p.covered])).toEqual([
      ['2018-02-05', true],
      ['2018-02-06', false],
      ['2018-02-07', false],
      ['2018-02-08', true],
    ]);
  });

  it('prunes log entries older than the retention as new outcomes are recorded', async () => {
    const { catalog } = env.stores;
    const first = Date.parse('2018-02-05T12:00:00Z');
    const span = [{ start: first - 1, end: first + 1 }];
    expect((await catalog.fetchCoverage(span)).covered).toEqual([true]);
    await catalog.recordFeedOutcome(rtFeed, outcome(new Date(first + (FETCH_LOG_RETENTION_DAYS - 1) * DAY).toISOString(), 'ok'));
    expect((await catalog.fetchCoverage(span)).covered).toEqual([true]);
    await catalog.recordFeedOutcome(rtFeed, outcome(new Date(first + (FETCH_LOG_RETENTION_DAYS + 1) * DAY).toISOString(), 'ok'));
    expect((await catalog.fetchCoverage(span)).covered).toEqual([false]);
    expect((await catalog.fetchCoverage(span)).historySince).not.toBe('2018-02-05T12:00:00.000Z');
  });
});
