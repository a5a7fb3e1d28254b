/** Write protection: bearer token for non-GET requests when required, 403 when no token is configured. */
import { afterEach, describe, expect, it } from 'vitest';
import { tokensMatch } from '../../dashboard/api/auth.ts';
import type { ErrorResponse } from '../../dashboard/api/schemas.ts';
import { postJson, setupApi, TOKEN, type TestEnv } from './api-fixtures.ts';

const actor = { name: 'Vasily Nebenzya', type: 'person' };

describe('API auth', () => {
  let env: TestEnv | undefined;
  afterEach(async () => {
    await env?.cleanup();
    env = undefined;
  });

  it('needs the bearer token for writes and leaves reads open', async () => {
    env = await setupApi({ requireToken: true, apiToken: TOKEN });
    const missing = await postJson(env.app, '/api/actors', actor);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await missing.json()) as ErrorResponse).error.code).toBe('unauthorized');

    const wrong = await postJson(env.app, '/api/actors', actor, { authorization: `Bearer ${TOKEN}x` });
    expect(wrong.status).toBe(401);
    expect(env.watchlistChanges.count).toBe(0);
    expect((await env.stores.catalog.listActors()).map((a) => a.id)).not.toContain('vasily-nebenzya');

    const ok = await postJson(env.app, '/api/actors', actor, { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(201);
    expect((await env.stores.catalog.listActors()).map((a) => a.id)).toContain('vasily-nebenzya');

    expect((await env.app.request('/api/actors')).status).toBe(200);
    expect((await env.app.request('/api/health')).status).toBe(200);
    expect((await env.app.request('/api/search?q=syria')).status).toBe(200);
  });

  it('refuses every write with 403 when a token is required but none is configured', async () => {
    env = await setupApi({ requireToken: true });
    const res = await postJson(env.app, '/api/feeds', { url: 'https://news.example/rss', outlet: 'rt' }, { authorization: 'Bearer anything' });
    expect(res.status).toBe(403);
    const body = (await res.json()) as ErrorResponse;
    expect(body.error.code).toBe('forbidden');
    expect(body.error.message).toContain('API_TOKEN');
    expect(await env.stores.catalog.listFeeds()).toEqual([]);
    expect((await env.app.request('/api/feeds')).status).toBe(200);
  });

  it('accepts writes without a token on loopback (requireToken false)', async () => {
    env = await setupApi({ requireToken: false, apiToken: TOKEN });
    expect((await postJson(env.app, '/api/actors', actor)).status).toBe(201);
  });

  it('compares tokens exactly', () => {
    expect(tokensMatch(TOKEN, TOKEN)).toBe(true);
    expect(tokensMatch(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokensMatch('', TOKEN)).toBe(false);
  });
});
