/**
 * GET/POST /api/opml through app.request against real SQLite stores: the export download, an import with
 * refused URLs (decided by the real URL policy with a test resolver: no DNS, no connection), size and type
 * limits, and the write token.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { parseOpml } from '../../core/opml.ts';
import { createUrlChecker } from '../../bin/runtime.ts';
import type { ErrorResponse, FeedsResponse, OpmlImportResponse } from '../../dashboard/api/schemas.ts';
import type { Resolver } from '../../ingest/ssrf-guard.ts';
import { FIXED_NOW, setupApi, TOKEN, type TestEnv } from './api-fixtures.ts';

/** Every name is public except internal.example, which points into a private network. */
const testResolver: Resolver = async (host) =>
  host === 'internal.example' ? [{ address: '10.1.2.3', family: 4 }] : [{ address: '93.184.215.14', family: 4 }];
const realPolicy = createUrlChecker(loadConfig({}), testResolver);

const IMPORT = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Researcher list</title></head>
  <body>
    <outline text="State media">
      <outline text="Russia">
        <outline type="rss" text="RT" xmlUrl="https://rt.example/rss/news" htmlUrl="https://rt.example"/>
        <outline type="rss" text="Sputnik" xmlUrl="https://sputnik.example/export/rss2/archive/index.xml" htmlUrl="https://sputnik.example"/>
      </outline>
    </outline>
    <outline type="rss" text="Intranet" xmlUrl="http://10.0.0.1/feed"/>
    <outline type="rss" text="Sneaky" xmlUrl="https://internal.example/rss"/>
  </body>
</opml>
`;

let env: TestEnv;
beforeEach(async () => {
  env = await setupApi({ checkFeedUrl: realPolicy });
});
afterEach(async () => {
  await env.cleanup();
});

function postOpml(app: TestEnv['app'], body: string, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(app.request('/api/opml', { method: 'POST', headers: { 'content-type': 'text/x-opml', ...headers }, body }));
}

describe('GET /api/opml', () => {
  it('downloads every outlet with feeds as an OPML attachment', async () => {
    await env.stores.catalog.upsertOutlet({ id: 'rt', name: 'RT', country: 'RU', language: 'ru', tags: ['State media/Russia', 'state-affiliated'] });
    await env.stores.catalog.addFeed('https://rt.example/rss/news', 'rt', FIXED_NOW);
    await env.stores.catalog.addFeed('https://rt.example/rss/business', 'rt', FIXED_NOW);
    const res = await env.app.request('/api/opml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/x-opml; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="narrative-monitor-feeds-2018-03-01.opml"');
    const xml = await res.text();
    expect(xml).toContain('<dateCreated>Thu, 01 Mar 2018 12:00:00 GMT</dateCreated>');
    const parsed = parseOpml(xml);
    // BBC has no feeds, so it is not in the export.
    expect(parsed.outlets).toEqual([
      {
        id: 'rt',
        name: 'RT',
        country: 'RU',
        language: 'ru',
        tags: ['State media/Russia', 'state-affiliated'],
        feeds: ['https://rt.example/rss/business', 'https://rt.example/rss/news'],
      },
    ]);
  });
});

describe('POST /api/opml', () => {
  it('imports the allowed feeds and reports each refused URL with the reason', async () => {
    const res = await postOpml(env.app, IMPORT);
    expect(res.status).toBe(200);
    const body = (await res.json()) as OpmlImportResponse;
    expect(body).toMatchObject({ imported: 2, alreadyPresent: 0, outlets: 2, outletsCreated: 1, problems: [] });
    expect(body.skipped.map((s) => s.url)).toEqual(['http://10.0.0.1/feed', 'https://internal.example/rss']);
    expect(body.skipped[0]!.reason).toMatch(/10\.0\.0\.1.*private|private.*10\.0\.0\.1/i);
    expect(body.skipped[1]!.reason).toContain('10.1.2.3');

    const feeds = (await (await env.app.request('/api/feeds')).json()) as FeedsResponse;
    expect(feeds.feeds.map((f) => [f.url, f.outletId, f.outletName, f.lastStatus]).sort()).toEqual([
      ['https://rt.example/rss/news', 'rt', 'RT', 'new'],
      ['https://sputnik.example/export/rss2/archive/index.xml', 'sputnik', 'Sputnik', 'new'],
    ]);
    // RT existed (tag state-affiliated): its name stays, the folder is added as a tag after the stored ones.
    expect(await env.stores.catalog.getOutlet('rt')).toMatchObject({ name: 'RT', homepage: 'https://rt.example', tags: ['state-affiliated', 'State media/Russia'] });
    expect(await env.stores.catalog.getOutlet('sputnik')).toMatchObject({ name: 'Sputnik', tags: ['State media/Russia'] });
    // Refused feeds create no outlet.
    expect((await env.stores.catalog.listOutlets()).map((o) => o.id).sort()).toEqual(['bbc', 'rt', 'sputnik']);

    const again = (await (await postOpml(env.app, IMPORT)).json()) as OpmlImportResponse;
    expect(again).toMatchObject({ imported: 0, alreadyPresent: 2, outletsCreated: 0 });
    expect((await env.stores.catalog.listFeeds()).length).toBe(2);
  });

  it('moves a whole setup to another instance: export from one, import into a fresh one', async () => {
    await postOpml(env.app, IMPORT);
    const exported = await (await env.app.request('/api/opml')).text();
    const other = await setupApi({ checkFeedUrl: realPolicy });
    try {
      const res = await postOpml(other.app, exported, { 'content-type': 'application/xml; charset=utf-8' });
      expect(((await res.json()) as OpmlImportResponse).imported).toBe(2);
      const pick = (outlets: { id: string; name: string; tags: string[]; homepage?: string }[]) =>
        outlets.filter((o) => o.id !== 'bbc').map((o) => ({ id: o.id, name: o.name, tags: o.tags, homepage: o.homepage }));
      expect(pick(await other.stores.catalog.listOutlets())).toEqual(pick(await env.stores.catalog.listOutlets()));
      const urls = async (e: TestEnv) => (await e.stores.catalog.listFeeds()).map((f) => [f.url, f.outletId]).sort();
      expect(await urls(other)).toEqual(await urls(env));
    } finally {
      await other.cleanup();
    }
  });

  it('answers 400 opml_invalid for a document that is not OPML, and stores nothing', async () => {
    const res = await postOpml(env.app, '<html><body>Not found</body></html>');
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorResponse).error).toMatchObject({ code: 'opml_invalid', message: 'opml: the root element is <html>, not <opml>' });
    const laughs = await postOpml(
      env.app,
      '<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><opml><body><outline text="&b;" xmlUrl="https://a.example/rss"/></body></opml>',
    );
    expect(laughs.status).toBe(400);
    expect(((await laughs.json()) as ErrorResponse).error.message).toContain('not expanded');
    expect(await env.stores.catalog.listFeeds()).toEqual([]);
  });

  it('answers 415 for a JSON body', async () => {
    const res = await env.app.request('/api/opml', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"url":"x"}' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as ErrorResponse).error.code).toBe('unsupported_media_type');
  });

  it('accepts documents beyond the 1 MiB JSON limit and refuses those over 5 MiB', async () => {
    const padded = (bytes: number): string =>
      `<opml><head><title>big</title></head><body><!-- ${'x'.repeat(bytes)} --><outline text="A" xmlUrl="https://a.example/rss"/></body></opml>`;
    const big = await postOpml(env.app, padded(2 * 1024 * 1024));
    expect(big.status).toBe(200);
    expect(((await big.json()) as OpmlImportResponse).imported).toBe(1);
    const tooBig = await postOpml(env.app, padded(5 * 1024 * 1024));
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as ErrorResponse).error.code).toBe('payload_too_large');
    // Other endpoints keep the small limit.
    const json = await env.app.request('/api/feeds', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"url":"${'x'.repeat(2 * 1024 * 1024)}"}` });
    expect(json.status).toBe(413);
  });
});

describe('OPML with a write token', () => {
  it('needs the token to import but not to export', async () => {
    const guarded = await setupApi({ checkFeedUrl: realPolicy, requireToken: true, apiToken: TOKEN });
    try {
      const refused = await postOpml(guarded.app, IMPORT);
      expect(refused.status).toBe(401);
      expect(await guarded.stores.catalog.listFeeds()).toEqual([]);
      const wrong = await postOpml(guarded.app, IMPORT, { authorization: 'Bearer not-the-token' });
      expect(wrong.status).toBe(401);
      const ok = await postOpml(guarded.app, IMPORT, { authorization: `Bearer ${TOKEN}` });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as OpmlImportResponse).imported).toBe(2);
      const exported = await guarded.app.request('/api/opml');
      expect(exported.status).toBe(200);
      expect(parseOpml(await exported.text()).outlets.flatMap((o) => o.feeds)).toHaveLength(2);
    } finally {
      await guarded.cleanup();
    }
  });
});
