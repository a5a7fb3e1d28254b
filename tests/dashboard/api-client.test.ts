/** The typed client: `AppType` carries the route shapes, so a hono client needs no hand-written types. */
import { testClient } from 'hono/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setupApi, type TestEnv } from './api-fixtures.ts';

describe('typed client over AppType', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await setupApi();
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('calls health, search and trends with typed inputs and outputs', async () => {
    const client = testClient(env.app);
    const health = await client.api.health.$get();
    expect(health.status).toBe(200);
    const h = await health.json();
    expect(h.articles).toBe(4);

    const search = await client.api.search.$get({ query: { q: 'sochi', limit: '5' } });
    const s = await search.json();
    expect(s.hits.map((hit) => hit.outletId)).toEqual(['rt']);

    const trends = await client.api.trends.$get({ query: { q: ['syria', 'chemical'], interval: 'month' } });
    const t = await trends.json();
    expect(t.series.map((x) => x.points.map((p) => ({ t: p.t, count: p.count })))).toEqual([
      [{ t: '2018-02-01T00:00:00+00:00', count: 3 }],
      [{ t: '2018-02-01T00:00:00+00:00', count: 2 }],
    ]);
  });

  it('posts a typed body', async () => {
    const client = testClient(env.app);
    const res = await client.api.actors.$post({ json: { name: 'OPCW', type: 'organization', aliases: [] } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ id: 'opcw', name: 'OPCW' });
  });
});
