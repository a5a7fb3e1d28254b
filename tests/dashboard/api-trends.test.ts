/** Trends: the dense day/week/month grid (pure) and GET /api/trends against real SQLite stores. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bucketStart, densify } from '../../dashboard/api/routes/trends.ts';
import type { ErrorResponse, TrendsResponse } from '../../dashboard/api/schemas.ts';
import { setupApi, type TestEnv } from './api-fixtures.ts';

const ms = (iso: string): number => Date.parse(iso);
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

describe('bucketStart', () => {
  it('puts weeks on Mondays and months on the 1st (UTC)', () => {
    // 2018-02-11 is a Sunday: its week started on Monday 2018-02-05.
    expect(day(bucketStart('week', ms('2018-02-11T23:59:00Z')))).toBe('2018-02-05');
    expect(day(bucketStart('week', ms('2018-02-12T00:00:00Z')))).toBe('2018-02-12');
    expect(day(bucketStart('month', ms('2018-02-28T12:00:00Z')))).toBe('2018-02-01');
    expect(day(bucketStart('day', ms('2018-02-28T23:59:59Z')))).toBe('2018-02-28');
  });
});

describe('densify', () => {
  it('fills zero buckets across all series between the overall first and last bucket', () => {
    const [a, b] = densify(
      'day',
      [
        [{ t: '2018-02-02', count: 1 }],
        [
          { t: '2018-02-01', count: 2 },
          { t: '2018-02-04', count: 3 },
        ],
      ],
      {},
    );
    expect(a).toEqual([
      { t: '2018-02-01', count: 0 },
      { t: '2018-02-02', count: 1 },
      { t: '2018-02-03', count: 0 },
      { t: '2018-02-04', count: 0 },
    ]);
    expect(b?.map((p) => p.count)).toEqual([2, 0, 0, 3]);
  });

  it('uses from (inclusive) and to (exclusive) as the grid bounds when given', () => {
    const [months] = densify('month', [[{ t: '2018-02-01', count: 5 }]], { fromMs: ms('2018-01-15'), toMs: ms('2018-04-01') });
    expect(months).toEqual([
      { t: '2018-01-01', count: 0 },
      { t: '2018-02-01', count: 5 },
      { t: '2018-03-01', count: 0 },
    ]);
  });

  it('returns empty series when there is nothing to place and no bounds', () => {
    expect(densify('week', [[], []], {})).toEqual([[], []]);
  });

  it('refuses a grid with too many buckets', () => {
    expect(() => densify('day', [[]], { fromMs: ms('1900-01-01'), toMs: ms('2018-01-01') })).toThrow(/buckets/);
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

  it('returns one dense weekly series per q, labelled by actor and theme names', async () => {
    const url = `/api/trends?q=${encodeURIComponent('actor:white-helmets')}&q=${encodeURIComponent('theme:"Chemical attacks"')}&interval=week`;
    const res = await env.app.request(url);
    expect(res.status).toBe(200);
    const body = (await res.json()) as TrendsResponse;
    expect(body.interval).toBe('week');
    expect(body.series.map((s) => s.label)).toEqual(['White Helmets', 'Chemical attacks']);
    expect(body.series.map((s) => s.query)).toEqual(['actor:white-helmets', 'theme:"Chemical attacks"']);
    // Weeks of 2018-02-05, -12 and -19; the middle one has no article in either series.
    const weeks = ['2018-02-05', '2018-02-12', '2018-02-19'];
    const [helmets, chemical] = body.series;
    expect(helmets?.points).toEqual([
      { t: weeks[0], count: 1 },
      { t: weeks[1], count: 0 },
      { t: weeks[2], count: 1 },
    ]);
    expect(helmets?.total).toBe(2);
    expect(helmets?.fallbackDateCount).toBe(1);
    expect(chemical?.points.map((p) => p.t)).toEqual(weeks);
    expect(chemical?.points.map((p) => p.count)).toEqual([1, 0, 1]);
  });

  it('accepts a single q and fills a daily grid between from and to', async () => {
    const res = await env.app.request('/api/trends?q=sochi&interval=day&from=2018-02-06&to=2018-02-09');
    expect(res.status).toBe(200);
    const body = (await res.json()) as TrendsResponse;
    expect(body.series).toHaveLength(1);
    expect(body.series[0]?.label).toBe('sochi');
    expect(body.series[0]?.points).toEqual([
      { t: '2018-02-06', count: 0 },
      { t: '2018-02-07', count: 1 },
      { t: '2018-02-08', count: 0 },
    ]);
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
});
