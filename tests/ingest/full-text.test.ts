/**
 * Full text for summary-only outlets: article pages served locally, readability on linkedom, the feed summary
 * kept beside the page text, failures counted and never fatal, and the stored article carrying both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { articleId, normalizeUrl } from '../../core/ids.ts';
import { extractMainText } from '../../ingest/full-text.ts';
import { createPoller } from '../../ingest/poller.ts';
import { openSqliteStores, type SqliteStores } from '../../store/sqlite/open-database.ts';
import { createArticleProcessor } from '../../worker/processors/process-articles.ts';
import { createCollectingQueue, type CollectingQueue } from '../helpers/collecting-queue.ts';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.ts';
import { silentLogger } from '../helpers/silent-logger.ts';

const T0 = new Date('2024-05-01T12:00:00.000Z');
const FETCH = { timeoutMs: 3000, maxBytes: 5_000_000, userAgent: 'nm-test', allowPrivate: true };

const BODY_SENTENCE = 'Rescue workers pulled survivors from the rubble of the market in Idlib on Tuesday morning.';

function articlePage(title: string, paragraphs: string[], charsetMeta = '<meta charset="utf-8">'): string {
  return `<!doctype html><html><head>${charsetMeta}<title>${title}</title></head><body>
    <header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>
    <aside class="sidebar"><h3>Most read</h3><ul><li><a href="/x">Celebrity news</a></li><li><a href="/y">Weather</a></li></ul></aside>
    <main><article><h1>${title}</h1>${paragraphs.map((p) => `<p>${p}</p>`).join('\n')}</article></main>
    <footer>Copyright 2024 Example News. <a href="/privacy">Privacy</a></footer>
    <script>window.tracking = "do not extract me";</script>
  </body></html>`;
}

function rss(items: Array<{ title: string; link: string; description: string }>): string {
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Summaries</title><link>https://news.test/</link>${items
    .map((i) => `<item><title>${i.title}</title><link>${i.link}</link><description>${i.description}</description></item>`)
    .join('')}</channel></rss>`;
}

describe('extractMainText', () => {
  it('returns the article body as paragraphs without navigation, sidebars, footers or scripts', () => {
    const paragraphs = [BODY_SENTENCE, 'The civil defence said eleven people were rescued alive.', 'Local hospitals asked for blood donations.'];
    const text = extractMainText(articlePage('Survivors pulled from rubble', [...paragraphs, ...paragraphs.map((p) => `${p} Again.`)]), 'https://news.test/a/1');
    expect(text).not.toBeNull();
    expect(text).toContain(BODY_SENTENCE);
    expect(text).toContain('Local hospitals asked for blood donations.');
    expect(text!.split('\n\n').length).toBeGreaterThanOrEqual(6);
    expect(text).not.toContain('Celebrity news');
    expect(text).not.toContain('Privacy');
    expect(text).not.toContain('do not extract me');
  });

  it('returns null for a page with no article', () => {
    expect(extractMainText('<html><body></body></html>', 'https://news.test/')).toBeNull();
  });
});

describe('full text in the poller', () => {
  let dir: string;
  let stores: SqliteStores;
  let server: FeedServer;
  let queue: CollectingQueue;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nm-fulltext-'));
    stores = openSqliteStores(path.join(dir, 'nm.db'));
    queue = createCollectingQueue();
  });
  afterEach(async () => {
    await server?.close();
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaces the summary by the page text for new articles, keeps the summary, counts failures', async () => {
    const paragraphs = Array.from({ length: 6 }, (_, i) => `${BODY_SENTENCE} Paragraph ${i} adds detail on the rescue operation.`);
    // windows-1251 bytes declared only in <meta>: А..я are 0xC0..0xFF in that code page.
    const cyrillic = 'Спасатели работали всю ночь';
    const cp1251 = (s: string) => Buffer.from([...s].map((c) => (c >= 'А' && c <= 'я' ? 0xc0 + c.charCodeAt(0) - 0x410 : c.charCodeAt(0))));
    const ruPage = Buffer.concat([
      Buffer.from('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head><body><article><h1>'),
      cp1251(cyrillic),
      Buffer.from('</h1>'),
      ...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from('<p>'), cp1251(`${cyrillic} ${cyrillic} ${cyrillic}.`), Buffer.from('</p>')])),
      Buffer.from('</article></body></html>'),
    ]);
    server = await startFeedServer({
      '/article/1': { body: articlePage('Survivors pulled from rubble', paragraphs), contentType: 'text/html' },
      '/article/ru': { body: ruPage, contentType: 'text/html' },
      '/article/known': { body: articlePage('Known', paragraphs), contentType: 'text/html' },
      // /article/missing is not routed: 404.
    });
    const link = (p: string) => server.url(`/article/${p}`);
    server.setRoute('/feed.xml', {
      body: rss([
        { title: 'Survivors pulled from rubble in Idlib', link: link('1'), description: 'Short summary one.' },
        { title: 'Спасатели работали всю ночь в Идлибе', link: link('ru'), description: 'Краткое содержание.' },
        { title: 'A page that no longer exists anywhere', link: link('missing'), description: 'Summary of the missing one.' },
        { title: 'An article the archive already holds', link: link('known'), description: 'Known summary.' },
      ]),
      contentType: 'application/rss+xml',
    });
    await stores.catalog.upsertOutlet({ id: 'summaries', name: 'Summaries', tags: [], fullText: true });
    expect(await stores.catalog.getOutlet('summaries')).toMatchObject({ fullText: true });
    const f = await stores.catalog.addFeed(server.url('/feed.xml'), 'summaries', T0);

    const known = new Set<string>();
    const poller = createPoller({
      catalog: stores.catalog,
      queue,
      logger: silentLogger,
      now: () => T0,
      fetchOptions: FETCH,
      random: () => 0.5,
      minHostGapMs: 0,
      knownIds: async (ids) => new Set(ids.filter((id) => known.has(id))),
    });
    // The known article's id, as the normalizer derives it.
    known.add(articleId(normalizeUrl(link('known'))));

    const summary = await poller.pollAll();
    expect(summary.feeds[0]).toMatchObject({ status: 'ok', items: 4, enqueued: 4, fullText: { fetched: 2, failed: 1 } });
    expect(server.requests('/article/known')).toBe(0);
    expect(server.requests('/article/1')).toBe(1);

    const byUrl = new Map(queue.articles.map((a) => [a.url, a]));
    const full = byUrl.get(link('1'))!;
    expect(full.text).toContain(BODY_SENTENCE);
    expect(full.text).toContain('Paragraph 5 adds detail');
    expect(full.text).not.toContain('Celebrity news');
    expect(full.summary).toBe('Short summary one.');
    expect(byUrl.get(link('ru'))!.text).toContain(`${cyrillic} ${cyrillic}`);
    expect(byUrl.get(link('ru'))!.summary).toBe('Краткое содержание.');
    // Failures keep the summary as the text and add no summary field.
    expect(byUrl.get(link('missing'))).toMatchObject({ text: 'Summary of the missing one.' });
    expect(byUrl.get(link('missing'))!.summary).toBeUndefined();
    expect(byUrl.get(link('known'))).toMatchObject({ text: 'Known summary.' });

    const stored = await stores.catalog.getFeed(f.id);
    expect(stored?.lastProblems).toContain('full text: 1 of 3 pages failed (http_404 ×1); summary kept');

    // The worker stores the page text and the summary; getArticle returns both.
    const process = createArticleProcessor({ store: stores.articles, catalog: stores.catalog, logger: silentLogger, now: () => T0 });
    const r = await process(queue.articles);
    expect(r.inserted).toHaveLength(4);
    const article = await stores.articles.getArticle(full.id);
    expect(article?.text).toContain(BODY_SENTENCE);
    expect(article?.summary).toBe('Short summary one.');
    expect((await stores.articles.getArticle(byUrl.get(link('missing'))!.id))?.summary).toBeUndefined();
  });

  it('does not fetch pages for outlets without fullText', async () => {
    server = await startFeedServer({ '/article/1': { body: articlePage('x', [BODY_SENTENCE]), contentType: 'text/html' } });
    server.setRoute('/feed.xml', { body: rss([{ title: 'One story about things', link: server.url('/article/1'), description: 'Sum.' }]) });
    await stores.catalog.upsertOutlet({ id: 'plain', name: 'Plain', tags: [] });
    await stores.catalog.addFeed(server.url('/feed.xml'), 'plain', T0);
    const summary = await createPoller({ catalog: stores.catalog, queue, logger: silentLogger, now: () => T0, fetchOptions: FETCH, minHostGapMs: 0 }).pollAll();
    expect(summary.feeds[0]).toMatchObject({ status: 'ok', enqueued: 1 });
    expect(summary.feeds[0]?.fullText).toBeUndefined();
    expect(server.requests('/article/1')).toBe(0);
    expect(queue.articles[0]).toMatchObject({ text: 'Sum.' });
  });
});
