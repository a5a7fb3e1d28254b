/** normalizeItems: real fixtures and hand-made edge cases → RawArticles that pass the contract schema. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { articleId, normalizeUrl } from '../../core/ids.ts';
import { RawArticleSchema } from '../../core/types.ts';
import { normalizeFeedItems, normalizeItems } from '../../ingest/normalize-item.ts';
import { parseFeed, type ParsedFeed, type ParsedItem } from '../../ingest/parse-feed.ts';

const FEEDS = fileURLToPath(new URL('../../../shared/fixtures/feeds/', import.meta.url));
const NOW = new Date('2024-05-01T12:00:00.000Z');
const ctx = (feedUrl: string) => ({ feedId: 'feed00000000abcd', outletId: 'test-outlet', feedUrl, now: NOW });

async function fixture(path: string, feedUrl: string): Promise<ParsedFeed> {
  return parseFeed(readFileSync(`${FEEDS}${path}`), null, feedUrl);
}

function item(overrides: Partial<ParsedItem>): ParsedItem {
  return {
    link: null,
    guid: null,
    title: null,
    contentHtml: null,
    summaryHtml: null,
    contentText: null,
    publishedRaw: null,
    published: null,
    author: null,
    ...overrides,
  };
}

const feedOf = (items: ParsedItem[], link: string | null = 'https://news.test/'): ParsedFeed => ({
  format: 'rss',
  title: 'Test',
  link,
  items,
  encoding: 'utf-8',
});

describe('normalizeItems on real feeds', () => {
  it('turns the Guardian feed into 55 schema-valid articles with plain text', async () => {
    const feed = await fixture('rss-parser/input/guardian.rss', 'https://www.theguardian.com/us/rss');
    const articles = normalizeItems(feed, ctx('https://www.theguardian.com/us/rss'));
    expect(articles).toHaveLength(55);
    for (const a of articles) expect(() => RawArticleSchema.parse(a)).not.toThrow();
    const first = articles[0]!;
    expect(first.id).toBe(articleId(normalizeUrl(first.url)));
    expect(first.feedId).toBe('feed00000000abcd');
    expect(first.outletId).toBe('test-outlet');
    expect(first.publishedAt).toBe('2018-01-31T07:26:05.000Z');
    expect(first.firstSeenAt).toBe(NOW.toISOString());
    expect(first.author).toBe('David Smith in Washington');
    expect(first.text).toContain('Donald Trump has promised a “new American moment”');
    expect(first.text).not.toMatch(/<[a-z]/i);
  });

  it('strips tracking parameters and the fragment in canonicalUrl, keeping the original url', async () => {
    const feed = feedOf([item({ link: 'https://news.test/story?id=7&utm_source=rss&utm_medium=feed&fbclid=abc#comments' })]);
    const [a] = normalizeItems(feed, ctx('https://news.test/rss'));
    expect(a!.url).toBe('https://news.test/story?id=7&utm_source=rss&utm_medium=feed&fbclid=abc#comments');
    expect(a!.canonicalUrl).toBe('https://news.test/story?id=7');
    expect(a!.id).toBe(articleId('https://news.test/story?id=7'));
  });

  it('resolves relative links against the feed link, itself relative to the feed URL (rss-with-relative-urls.xml)', async () => {
    const feedUrl = 'http://www.arcgames.com/en/games/neverwinter/news/rss';
    const feed = await fixture('node-feedparser/rss-with-relative-urls.xml', feedUrl);
    const articles = normalizeItems(feed, ctx(feedUrl));
    expect(articles).toHaveLength(2);
    expect(articles[0]!.url).toBe(
      'http://www.arcgames.com/en/games/neverwinter/news/detail/10743874-neverwinter-%26-jingle-jam-humble-bundle%21',
    );
    expect(articles[0]!.title).toBe('Neverwinter & Jingle Jam Humble Bundle!');
    expect(articles[0]!.guid).toBe('http://www.arcgames.com/en/games/PAB_nw/news/detail/10743874');
    // The second item's description is mostly CSS in the HTML; text keeps the prose.
    expect(articles[1]!.text).toContain('Underdark Campaign');
  });

  it('resolves Atom relative links (feed-rs atom_relative.xml)', async () => {
    const feed = await fixture('feed-rs/atom/atom_relative.xml', 'https://example.org/blog/feed.atom');
    const [a] = normalizeItems(feed, ctx('https://example.org/blog/feed.atom'));
    expect(a!.url).toBe('https://example.org/blog/2003/12/13/atom03');
  });

  it('keeps the Russian title of a windows-1251 feed intact', async () => {
    const feed = await fixture('node-feedparser/iconv.xml', 'http://www.oren.ru/rss');
    const articles = normalizeItems(feed, ctx('http://www.oren.ru/rss'));
    expect(articles).toHaveLength(10);
    expect(articles[0]!.title).toMatch(/^В Бузулуке главные стройплощадки – детса/);
  });

  it('gives articles without a date a null publishedAt, never "now" (heraldsun.rss has no dates)', async () => {
    const feed = await fixture('rss-parser/input/heraldsun.rss', 'https://www.heraldsun.com.au/rss');
    const result = normalizeFeedItems(feed, ctx('https://www.heraldsun.com.au/rss'));
    expect(result.articles.length).toBeGreaterThan(0);
    for (const a of result.articles) expect(a.publishedAt).toBeNull();
  });

  it('normalizes JSON Feed items', async () => {
    const feed = await fixture('feed-rs/jsonfeed/jsonfeed_example_1.json', 'https://daringfireball.net/feeds/json');
    const articles = normalizeItems(feed, ctx('https://daringfireball.net/feeds/json'));
    expect(articles).toHaveLength(2);
    expect(articles[0]!.text).toBe(
      'Good summary from The New York Times. Until this week’s news, I don’t believe we knew what type of phone Bezos was using when he was hacked. Now we know: an iPhone X.',
    );
  });
});

describe('normalizeItems edge cases', () => {
  it('skips items without a resolvable http(s) link and counts them', () => {
    const feed = feedOf(
      [
        item({ title: 'no link' }),
        item({ title: 'mailto', link: 'mailto:editor@news.test' }),
        item({ title: 'tag uri', link: 'tag:news.test,2024:1' }),
        item({ title: 'guid permalink', guid: 'https://news.test/from-guid' }),
        item({ title: 'urn guid', guid: 'urn:uuid:1234' }),
        item({ title: 'ok', link: '/relative' }),
      ],
      null,
    );
    const result = normalizeFeedItems(feed, ctx('https://news.test/feeds/main.xml'));
    expect(result.articles.map((a) => [a.title, a.url])).toEqual([
      ['guid permalink', 'https://news.test/from-guid'],
      ['ok', 'https://news.test/relative'],
    ]);
    expect(result.skippedNoLink).toBe(4);
  });

  it('dedupes items that canonicalize to the same id within one feed', () => {
    const feed = feedOf([
      item({ title: 'first', link: 'https://news.test/a?utm_source=x' }),
      item({ title: 'second', link: 'https://NEWS.test/a#frag' }),
      item({ title: 'other', link: 'https://news.test/b' }),
    ]);
    const result = normalizeFeedItems(feed, ctx('https://news.test/rss'));
    expect(result.articles.map((a) => a.title)).toEqual(['first', 'other']);
    expect(result.duplicates).toBe(1);
  });

  it('decodes and collapses titles, and falls back through content fields for text', () => {
    const feed = feedOf([
      item({ link: 'https://news.test/1', title: '  Caf&eacute;\n  <b>society</b> &amp;  co ', contentHtml: '<p>Full <em>story</em></p>', summaryHtml: 'short' }),
      item({ link: 'https://news.test/2', summaryHtml: '<p>Only&nbsp;summary</p><script>alert(1)</script>' }),
      item({ link: 'https://news.test/3', contentText: 'Plain text body' }),
      item({ link: 'https://news.test/4' }),
    ]);
    const articles = normalizeItems(feed, ctx('https://news.test/rss'));
    expect(articles.map((a) => [a.title, a.text])).toEqual([
      ['Café society & co', 'Full story'],
      ['', 'Only summary'],
      ['', 'Plain text body'],
      ['', ''],
    ]);
  });

  it('treats dates more than a day in the future as unusable', () => {
    const soon = new Date(NOW.getTime() + 60 * 60 * 1000);
    const far = new Date(NOW.getTime() + 3 * 24 * 60 * 60 * 1000);
    const feed = feedOf([
      item({ link: 'https://news.test/soon', published: soon }),
      item({ link: 'https://news.test/far', published: far }),
      item({ link: 'https://news.test/invalid', published: new Date(Number.NaN) }),
    ]);
    expect(normalizeItems(feed, ctx('https://news.test/rss')).map((a) => a.publishedAt)).toEqual([soon.toISOString(), null, null]);
  });

  it('flags dates it does not keep: unparseable, far future, before 1970', () => {
    const far = new Date(NOW.getTime() + 3 * 24 * 60 * 60 * 1000);
    const feed = feedOf([
      item({ link: 'https://news.test/garbage', publishedRaw: 'next Tuesday-ish', published: null, dateFlag: 'unparseable' }),
      item({ link: 'https://news.test/far', publishedRaw: far.toUTCString(), published: far }),
      item({ link: 'https://news.test/ancient', publishedRaw: 'Thu, 01 Jan 0100 00:00:01 +0100', published: new Date('0099-12-31T23:00:01Z') }),
      item({ link: 'https://news.test/none' }),
    ]);
    const result = normalizeFeedItems(feed, ctx('https://news.test/rss'));
    expect(result.articles.map((a) => a.publishedAt)).toEqual([null, null, null, null]);
    expect(result.dateFlags.map((f) => [f.url, f.flag])).toEqual([
      ['https://news.test/garbage', 'unparseable'],
      ['https://news.test/far', 'future'],
      ['https://news.test/ancient', 'too_old'],
    ]);
  });

  it('uses the links the parser resolved against xml:base', async () => {
    const body = Buffer.from('<rss version="2.0" xml:base="https://cdn.news.test/en/"><channel><link>https://www.news.test/</link><item><link>story-1</link></item></channel></rss>');
    const feed = await parseFeed(body, null, 'https://feeds.news.test/rss');
    expect(normalizeItems(feed, ctx('https://feeds.news.test/rss'))[0]!.url).toBe('https://cdn.news.test/en/story-1');
  });
});
