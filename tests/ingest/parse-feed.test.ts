/** parseFeed on real fixtures from /work/shared/fixtures/feeds: formats, charsets, and clean rejections. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../ingest/html-to-text.ts';
import { detectEncoding, FeedParseError, parseFeed, parseFeedDate } from '../../ingest/parse-feed.ts';

const FEEDS = fileURLToPath(new URL('../../../shared/fixtures/feeds/', import.meta.url));
const fixture = (path: string): Buffer => readFileSync(`${FEEDS}${path}`);
const parse = (path: string, contentType: string | null = null) => parseFeed(fixture(path), contentType, `https://feeds.test/${path}`);

async function parseError(body: Buffer, contentType: string | null = null): Promise<FeedParseError> {
  try {
    await parseFeed(body, contentType, 'https://feeds.test/x');
  } catch (err) {
    expect(err).toBeInstanceOf(FeedParseError);
    return err as FeedParseError;
  }
  throw new Error('expected parseFeed to fail');
}

describe('parseFeed: formats', () => {
  it('reads RSS 2.0 (Guardian) with titles, links, dates, authors and HTML content', async () => {
    const feed = await parse('rss-parser/input/guardian.rss');
    expect(feed.format).toBe('rss');
    expect(feed.title).toBe('The Guardian');
    expect(feed.link).toBe('https://www.theguardian.com/us');
    expect(feed.items).toHaveLength(55);
    const first = feed.items[0]!;
    expect(first.title).toBe('Trump State of the Union address promised unity but emphasized discord');
    expect(first.link).toBe('https://www.theguardian.com/us-news/2018/jan/31/donald-trump-state-of-the-union-address-unity-discord');
    expect(first.publishedRaw).toBe('Wed, 31 Jan 2018 07:26:05 GMT');
    expect(first.published?.toISOString()).toBe('2018-01-31T07:26:05.000Z');
    expect(first.author).toBe('David Smith in Washington');
    expect(first.summaryHtml).toContain('<p>Donald Trump has promised');
  });

  it('matches the rss-parser expected output for every Guardian item title and date', async () => {
    const expected = JSON.parse(readFileSync(`${FEEDS}rss-parser/expected/guardian.json`, 'utf8')) as {
      feed: { items: Array<{ title: string; isoDate?: string; link: string }> };
    };
    const feed = await parse('rss-parser/input/guardian.rss');
    expect(feed.items.map((i) => i.title)).toEqual(expected.feed.items.map((i) => i.title));
    expect(feed.items.map((i) => i.link)).toEqual(expected.feed.items.map((i) => i.link));
    expect(feed.items.map((i) => i.published?.toISOString())).toEqual(expected.feed.items.map((i) => i.isoDate));
  });

  it('reads Atom (heise) with entry ids and html content', async () => {
    const feed = await parse('rss-parser/input/heise.atom');
    expect(feed.format).toBe('atom');
    expect(feed.title).toBe('heise developer neueste Meldungen');
    expect(feed.items).toHaveLength(15);
    const first = feed.items[0]!;
    expect(first.guid).toBe('http://heise.de/-3088438');
    expect(first.title).toBe('Java-Anwendungsserver: Red Hat gibt WildFly 10 frei');
    expect(first.published?.toISOString()).toBe('2016-02-01T16:22:00.000Z');
    expect(htmlToText(first.contentHtml ?? '')).toContain('Enterprise-Java-Servers');
  });

  it('sniffs Atom in a file named .rss (DaringFireball.rss)', async () => {
    const feed = await parse('rsparser/DaringFireball.rss');
    expect(feed.format).toBe('atom');
    expect(feed.items).toHaveLength(47);
  });

  it('reads RSS 1.0 / RDF with dc:date', async () => {
    const feed = await parse('rss-parser/input/rss-1.rss');
    expect(feed.items).toHaveLength(69);
    expect(feed.items[0]!.published?.toISOString()).toBe('2017-06-15T17:29:47.000Z');
    expect(feed.items[0]!.author).toBe('Hines, P. J.');
  });

  it('reads RSS 0.91 and keeps only the 10 properly nested items of illegally-nested.xml', async () => {
    expect((await parse('feed-rs/rss0/rss_0.91_spec_1.xml')).items).toHaveLength(2);
    expect((await parse('node-feedparser/illegally-nested.xml')).items).toHaveLength(10);
  });

  it('reads content:encoded as the full content', async () => {
    const feed = await parse('rss-parser/input/content-encoded.rss');
    expect(feed.items).toHaveLength(7);
    const item = feed.items[0]!;
    expect(item.contentHtml).toBeTruthy();
    expect(item.contentHtml!.length).toBeGreaterThan((item.summaryHtml ?? '').length);
  });

  it('reads JSON Feed 1.x (feed-rs and rsparser fixtures)', async () => {
    const feed = await parse('feed-rs/jsonfeed/jsonfeed_example_1.json');
    expect(feed.format).toBe('json');
    expect(feed.title).toBe('Daring Fireball');
    expect(feed.link).toBe('https://daringfireball.net/');
    expect(feed.items).toHaveLength(2);
    const first = feed.items[0]!;
    expect(first.title).toBe('How Jeff Bezos’s iPhone X Was Hacked');
    expect(first.link).toBe('https://daringfireball.net/linked/2020/01/24/bezos-iphone-x');
    expect(first.published?.toISOString()).toBe('2020-01-24T23:46:57.000Z');
    expect(first.author).toBe('John Gruber');
    expect(first.contentHtml).toContain('Good summary from The New York Times');
    expect((await parse('rsparser/DaringFireball.json')).items).toHaveLength(48);
  });

  it('handles leading whitespace without an XML declaration (macworld.rss)', async () => {
    const feed = await parse('rsparser/macworld.rss');
    expect(feed.items).toHaveLength(30);
  });

  it('keeps items without a title as null titles (scriptingNews.rss)', async () => {
    const feed = await parse('rsparser/scriptingNews.rss');
    expect(feed.items).toHaveLength(50);
    expect(feed.items.filter((i) => i.title === null)).toHaveLength(39);
  });

  it('treats an <rss> without <channel> as a feed with no items', async () => {
    const feed = await parseFeed(Buffer.from('<?xml version="1.0"?>\n<rss version="2.0">\n</rss>'), null, 'https://feeds.test/x');
    expect(feed.items).toEqual([]);
  });

  it('reads HTML named entities that strict XML rejects (&nbsp; &eacute; without a DTD)', async () => {
    const xml = '<rss version="2.0"><channel><title>Caf&eacute;&nbsp;news</title><item><title>A&nbsp;&mdash;&nbsp;B</title><link>https://news.test/a</link></item></channel></rss>';
    const feed = await parseFeed(Buffer.from(xml), null, 'https://feeds.test/x');
    expect(feed.title).toBe('Café\u00a0news');
    expect(feed.items[0]!.title).toBe('A\u00a0—\u00a0B');
  });

  it('keeps Atom entries whose date is garbage, with a null date', async () => {
    const xml =
      '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>' +
      '<entry><title>bad</title><link href="https://news.test/bad"/><published>not a date</published></entry>' +
      '<entry><title>good</title><link href="https://news.test/good"/><published>2020-01-02T03:04:05Z</published></entry></feed>';
    const feed = await parseFeed(Buffer.from(xml), null, 'https://feeds.test/x');
    expect(feed.items.map((i) => [i.title, i.published?.toISOString() ?? null])).toEqual([
      ['bad', null],
      ['good', '2020-01-02T03:04:05.000Z'],
    ]);
  });
});

describe('parseFeed: charsets', () => {
  it('decodes windows-1251 from the XML declaration (iconv.xml, Russian)', async () => {
    const feed = await parse('node-feedparser/iconv.xml');
    expect(feed.encoding).toBe('windows-1251');
    expect(feed.title).toBe('Новости Оренбурга и области / Раздел Новости');
    expect(feed.items).toHaveLength(10);
    expect(feed.items[0]!.title).toMatch(/^В Бузулуке главные стройплощадки/);
  });

  it('decodes ISO-8859-1 (encoding.rss, Portuguese)', async () => {
    const feed = await parse('rss-parser/input/encoding.rss');
    expect(feed.encoding).toBe('windows-1252');
    expect(feed.title).toBe('Jornal de Notícias - Últimas Notícias');
    expect(feed.items).toHaveLength(40);
    expect(feed.items[0]!.title).toMatch(/^Mãe de utente é a nova presidente/);
  });

  it('honours a UTF-8 BOM (donthitsave.xml)', async () => {
    const feed = await parse('rsparser/donthitsave.xml');
    expect(feed.encoding).toBe('utf-8');
    expect(feed.items).toHaveLength(10);
  });

  it('decodes UTF-16 and UTF-32, with and without BOM', async () => {
    for (const [path, encoding] of [
      ['feedparser/encoding/utf-16le-bom.xml', 'utf-16le'],
      ['feedparser/encoding/utf-16be-autodetect.xml', 'utf-16be'],
      ['feedparser/encoding/utf-16le-autodetect.xml', 'utf-16le'],
      ['feedparser/encoding/utf-32le-bom.xml', 'utf-32le'],
      ['feedparser/encoding/utf-32be-autodetect.xml', 'utf-32be'],
    ] as const) {
      const feed = await parse(path);
      expect(feed.encoding, path).toBe(encoding);
    }
  });

  it('decodes euc-kr from the declaration', async () => {
    const feed = await parse('feedparser/encoding/euc-kr.xml');
    expect(feed.title).toBe('\ub144');
  });

  it('lets the HTTP charset decide when the bytes are not UTF-8', async () => {
    const feed = await parse('feedparser/encoding/http_text_xml_charset_2.xml', 'text/xml; charset=windows-1252');
    expect(htmlToText(feed.items[0]!.summaryHtml ?? '')).toBe('This is a \u00a3\u201ctest.\u201d');
  });

  it('prefers valid UTF-8 over a lying declaration or header', async () => {
    const xml = '<?xml version="1.0" encoding="windows-1251"?><rss version="2.0"><channel><title>Привет, мир</title></channel></rss>';
    const feed = await parseFeed(Buffer.from(xml, 'utf8'), 'application/rss+xml; charset=iso-8859-1', 'https://feeds.test/x');
    expect(feed.encoding).toBe('utf-8');
    expect(feed.title).toBe('Привет, мир');
  });

  it('turns windows-1252 punctuation smuggled as C1 characters back into quotes (demoronize)', async () => {
    const feed = await parse('feedparser/encoding/demoronize-1.xml');
    expect(htmlToText(feed.items[0]!.summaryHtml ?? '')).toBe('don\u2019t');
  });

  it('detectEncoding orders BOM, UTF-8 validity, header, declaration', () => {
    const latin = Buffer.from([0x3c, 0x3f, 0x78, 0x6d, 0x6c, 0x20, 0x3f, 0x3e, 0xe9]);
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x3c]), 'text/xml; charset=koi8-r')).toEqual({ encoding: 'utf-8', bomLength: 3 });
    expect(detectEncoding(latin, 'text/xml; charset=koi8-r').encoding).toBe('koi8-r');
    expect(detectEncoding(latin, 'text/xml; charset=bogus').encoding).toBe('windows-1252');
    const declared = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="shift_jis"?>'), Buffer.from([0x82, 0xa0])]);
    expect(detectEncoding(declared, 'text/xml').encoding).toBe('shift_jis');
  });
});

describe('parseFeed: rejections', () => {
  it('rejects the HTML "Document Moved" page (unrecognized.rss) as not_a_feed', async () => {
    const err = await parseError(fixture('rss-parser/input/unrecognized.rss'));
    expect(err.code).toBe('not_a_feed');
  });

  it('rejects an HTML page with a doctype (notafeed.html) as not_a_feed', async () => {
    const err = await parseError(fixture('node-feedparser/notafeed.html'), 'text/html; charset=utf-8');
    expect(err.code).toBe('not_a_feed');
  });

  it('rejects an empty or blank body as empty', async () => {
    expect((await parseError(Buffer.alloc(0))).code).toBe('empty');
    expect((await parseError(Buffer.from('  \n\t '))).code).toBe('empty');
  });

  it('rejects broken XML as parse_error with the parser message', async () => {
    const err = await parseError(Buffer.from('<rss version="2.0"><channel><title>x</title><item></channel></rss>'));
    expect(err.code).toBe('parse_error');
    expect(err.message).toMatch(/parse-feed: .*(closing tag|Unexpected)/i);
  });

  it('rejects JSON that is not a JSON Feed, and invalid JSON', async () => {
    expect((await parseError(Buffer.from('{"hello": "world"}'))).code).toBe('not_a_feed');
    expect((await parseError(Buffer.from('{"version": '))).code).toBe('parse_error');
  });

  it('refuses still-compressed bytes with a clear message', async () => {
    const err = await parseError(zlib.gzipSync(fixture('node-feedparser/iconv.xml')));
    expect(err.code).toBe('parse_error');
    expect(err.message).toContain('gzip');
  });

  it('is a PermanentError so it is never retried blindly', async () => {
    const err = await parseError(Buffer.alloc(0));
    expect(err.name).toBe('FeedParseError');
    expect(err).toBeInstanceOf(Error);
  });
});

describe('parseFeedDate', () => {
  it('parses RFC 822 and RFC 3339 dates, and returns null for garbage', () => {
    expect(parseFeedDate('Wed, 31 Jan 2018 07:26:05 GMT')?.toISOString()).toBe('2018-01-31T07:26:05.000Z');
    expect(parseFeedDate('Thu, 07 Dec 17 10:00:29 -0800')?.toISOString()).toBe('2017-12-07T18:00:29.000Z');
    expect(parseFeedDate('2017-06-15T10:29:47-07:00')?.toISOString()).toBe('2017-06-15T17:29:47.000Z');
    expect(parseFeedDate('  2003-12-13T18:30:02Z \n')?.toISOString()).toBe('2003-12-13T18:30:02.000Z');
    expect(parseFeedDate('not a date')).toBeNull();
    expect(parseFeedDate('')).toBeNull();
    expect(parseFeedDate(null)).toBeNull();
  });

  it('never returns a wrong instant for the feedparser date vectors (null is allowed)', () => {
    const { vectors } = JSON.parse(readFileSync(`${FEEDS}feedparser/dates.json`, 'utf8')) as {
      vectors: Array<{ input: string; expected_utc: string | null }>;
    };
    expect(vectors.length).toBe(50);
    let parsed = 0;
    for (const v of vectors) {
      const got = parseFeedDate(v.input);
      if (got === null) continue;
      parsed++;
      // Upstream truncates to whole seconds.
      expect(Math.floor(got.getTime() / 1000), v.input).toBe(Date.parse(v.expected_utc ?? 'invalid') / 1000);
    }
    // Floor of what this basic parser handles (RFC 822 and W3C-DTF); localized and partial forms come back null.
    expect(parsed).toBeGreaterThanOrEqual(13);
  });

  it('rejects partial and garbled dates that Date.parse would misread', () => {
    for (const raw of ['-03-12', '03335', 'Sun, Dec x 2012 11:47:32 GMT', '2003-12-31T25:14:55Z', '22013']) {
      expect(parseFeedDate(raw), raw).toBeNull();
    }
    expect(parseFeedDate('Sat, Dec 16 2023 02:02:33 PM')?.getUTCDate()).toBe(16);
  });
});
