/** parseFeed on real fixtures from /work/shared/fixtures/feeds: formats, charsets, and clean rejections. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../ingest/html-to-text.ts';
import { detectEncoding } from '../../ingest/charset.ts';
import { parseFeedDate } from '../../ingest/parse-date.ts';
import { FeedParseError, parseFeed } from '../../ingest/parse-feed.ts';
import { startFeedServer } from '../helpers/feed-server.ts';

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
    expect(feed.encoding).toBe('iso-8859-1');
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
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x3c]), 'text/xml; charset=koi8-r')).toEqual({ encoding: 'utf-8', bomLength: 3, problems: [] });
    expect(detectEncoding(latin, 'text/xml; charset=koi8-r').encoding).toBe('koi8-r');
    const bogus = detectEncoding(latin, 'text/xml; charset=bogus');
    expect(bogus.problems.join('; ')).toContain('unknown charset "bogus"');
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

  it('rejects a document without any element as not_a_feed', async () => {
    expect((await parseError(Buffer.from('just some text, no markup'))).code).toBe('not_a_feed');
    expect((await parseError(Buffer.from('<?xml version="1.0"?><!-- nothing -->'))).code).toBe('not_a_feed');
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
    let exact = 0;
    for (const v of vectors) {
      const got = parseFeedDate(v.input);
      if (got === null) {
        if (v.expected_utc === null) exact++;
        continue;
      }
      // Upstream truncates to whole seconds.
      expect(Math.floor(got.getTime() / 1000), v.input).toBe(Date.parse(v.expected_utc ?? 'invalid') / 1000);
      exact++;
    }
    // 49 of 50 measured: all but "03335" (2-digit year + ordinal), which cannot be told apart from the
    // must-reject "22013" and is deliberately left null.
    expect(exact).toBe(49);
  });

  it('rejects partial and garbled dates that Date.parse would misread', () => {
    for (const raw of ['03335', 'Sun, Dec x 2012 11:47:32 GMT', '2003-12-31T25:14:55Z', '22013', 'Mon, 26 Jan 2004 16:31:00 XYZ', '31 Apr 2004', '12/11/2004']) {
      expect(parseFeedDate(raw), raw).toBeNull();
    }
    expect(parseFeedDate('Sat, Dec 16 2023 02:02:33 PM')?.getUTCDate()).toBe(16);
  });
});

const xmlBytes = (head: string, hex: string, tail: string): Buffer => Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(hex, 'hex'), Buffer.from(tail, 'latin1')]);
const rssTitled = (encoding: string | null, hex: string): Buffer =>
  xmlBytes(`${encoding ? `<?xml version="1.0" encoding="${encoding}"?>` : ''}<rss version="2.0"><channel><title>`, hex, '</title></channel></rss>');

describe('parseFeed: legacy charsets store Russian, Arabic, Chinese and other titles right', () => {
  // Bytes produced with Python's codecs; each title must come back exactly.
  const cases: Array<[string, string, string, string]> = [
    ['koi8-r', 'f0d2c9d7c5d42c20cdc9d2', 'Привет, мир', 'koi8-r'],
    ['windows-1251', 'cdeee2eef1f2e8', 'Новости', 'windows-1251'],
    ['windows-1256', 'e3d1cdc8c720c8c7e1dac7e1e3', 'مرحبا بالعالم', 'windows-1256'],
    ['gb2312', 'd6d0cec4d0c2cec5', '中文新闻', 'gb18030'],
    ['GBK', 'd6d0cec4d0c2cec5', '中文新闻', 'gb18030'],
    ['Shift_JIS', '82b182f182c982bf82cd90a28a45', 'こんにちは世界', 'shift_jis'],
    ['ISO-8859-7', 'c5ebebdce4e1', 'Ελλάδα', 'iso-8859-7'],
    ['ISO-8859-2', '5a61bff3b3e6', 'Zażółć', 'iso-8859-2'],
    ['Big5', 'a4a4a4e5b773bb44', '中文新聞', 'big5'],
    ['EUC-JP', 'a5cba5e5a1bca5b9', 'ニュース', 'euc-jp'],
  ];
  for (const [label, hex, title, encoding] of cases) {
    it(`${label} from the XML declaration`, async () => {
      const feed = await parseFeed(rssTitled(label, hex), 'application/rss+xml', 'https://feeds.test/x');
      expect(feed.title).toBe(title);
      expect(feed.encoding).toBe(encoding);
      expect(feed.problems).toEqual([]);
    });
  }

  it('takes the HTTP charset over the XML declaration for non-UTF-8 bytes', async () => {
    const feed = await parseFeed(rssTitled('iso-8859-1', 'f0d2c9d7c5d42c20cdc9d2'), 'text/xml; charset="KOI8-R"', 'https://feeds.test/x');
    expect(feed.title).toBe('Привет, мир');
  });

  it('detects undeclared legacy encodings with chardet and records the guess as a problem (feedparser chardet cases)', async () => {
    for (const [file, encoding] of [['big5', 'big5'], ['eucjp', 'euc-jp'], ['euckr', 'euc-kr'], ['shiftjis', 'shift_jis'], ['windows1255', 'windows-1255']] as const) {
      const feed = await parseFeed(fixture(`feedparser/illformed/chardet/${file}.xml`), null, 'https://feeds.test/x');
      expect(feed.encoding, file).toBe(encoding);
      expect(feed.problems!.join(' '), file).toContain('detected');
      expect(feed.title ?? feed.items[0]?.title ?? '', file).not.toContain('\uFFFD');
    }
    const big5 = await parseFeed(fixture('feedparser/illformed/chardet/big5.xml'), null, 'https://feeds.test/x');
    expect(big5.title).toMatch(/^我希望/);
  });

  it('reports a bogus declared encoding as a problem but still reads the feed', async () => {
    const feed = await parse('feedparser/encoding/bozo_bogus_encoding.xml');
    expect(feed.problems!.length).toBeGreaterThan(0);
  });
});

describe('parseFeed: formats beyond RSS 2.0', () => {
  it('reads a prefixed <atom:feed> root (node-feedparser nondefaultnamespace.atom)', async () => {
    const feed = await parse('node-feedparser/nondefaultnamespace.atom');
    expect(feed.format).toBe('atom');
    expect(feed.items.length).toBeGreaterThan(0);
    expect(feed.items[0]!.title).toBeTruthy();
    expect(feed.items[0]!.link).toMatch(/^https?:\/\//);
  });

  it('reads a bare Atom <entry> document as a feed of one (feed-rs atom_entry_1.xml)', async () => {
    const feed = await parse('feed-rs/atom/atom_entry_1.xml');
    expect(feed.format).toBe('atom');
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]!.title).toBeTruthy();
  });

  it('reads Atom 0.3 with issued/modified dates and base64 and escaped text constructs', async () => {
    const body = Buffer.from(`<feed version="0.3" xmlns="http://purl.org/atom/ns#">
      <title mode="escaped" type="text/html">A &lt;b&gt;bold&lt;/b&gt; feed</title>
      <link rel="alternate" type="text/html" href="http://example.org/"/>
      <entry><title mode="base64" type="text/html">${Buffer.from('Caf\u00e9 <b>news</b>').toString('base64')}</title>
        <link rel="alternate" type="text/html" href="/2004/1"/><id>tag:example.org,2004:1</id>
        <issued>2004-01-01T12:00:00-05:00</issued><modified>2004-01-02T00:00:00Z</modified>
        <content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml">Hello <b>world</b> again</div></content>
      </entry></feed>`);
    const feed = await parseFeed(body, 'application/atom+xml', 'http://example.org/feed.atom');
    expect(htmlToText(feed.title!)).toBe('A bold feed');
    const [entry] = feed.items;
    expect(htmlToText(entry!.title!)).toBe('Café news');
    expect(entry!.link).toBe('http://example.org/2004/1');
    expect(entry!.published?.toISOString()).toBe('2004-01-01T17:00:00.000Z');
    expect(entry!.updated?.toISOString()).toBe('2004-01-02T00:00:00.000Z');
    expect(htmlToText(entry!.contentHtml!)).toBe('Hello world again');
    expect(feed.problems).toEqual([]);
  });

  it('keeps Atom type="text" literally and strips the xhtml wrapper div, in document order', async () => {
    const body = Buffer.from(`<feed xmlns="http://www.w3.org/2005/Atom"><entry>
      <title type="text">1 &lt; 2 &amp; &lt;b&gt; is not a tag</title>
      <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">one <b>two</b> three <i>four</i></div></content>
      <link href="https://n.test/a"/></entry></feed>`);
    const [entry] = (await parseFeed(body, null, 'https://n.test/feed')).items;
    expect(cleanTitleOf(entry!.title)).toBe('1 < 2 & <b> is not a tag');
    expect(entry!.contentHtml).toBe('one <b>two</b> three <i>four</i>');
  });

  it('resolves links against element-level and inherited xml:base, then the document URL', async () => {
    const body = Buffer.from(`<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.org/root/">
      <link href="site/"/>
      <entry xml:base="entries/"><link href="one"/><id>1</id></entry>
      <entry><link xml:base="http://other.test/x/" href="two"/></entry>
      <entry><link href="/abs"/></entry></feed>`);
    const feed = await parseFeed(body, null, 'https://feeds.test/f.atom');
    expect(feed.link).toBe('http://example.org/root/site/');
    expect(feed.items.map((i) => i.link)).toEqual(['http://example.org/root/entries/one', 'http://other.test/x/two', 'http://example.org/abs']);
    const plain = await parseFeed(Buffer.from('<rss><channel><item><link>/story?id=1&amp;p=2</link></item></channel></rss>'), null, 'https://news.test/rss/feed.xml');
    expect(plain.items[0]!.link).toBe('https://news.test/story?id=1&p=2');
  });

  it('reads language, categories and RSS author names', async () => {
    const body = Buffer.from(`<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><language>ru-RU</language>
      <item><link>https://n.test/1</link><author>editor@n.test (Анна Иванова)</author><category>Политика</category>
        <category>World</category><dc:subject>World</dc:subject></item>
      <item><link>https://n.test/2</link><dc:language>en</dc:language><dc:creator>Jane Doe &lt;jane@n.test&gt;</dc:creator></item>
    </channel></rss>`);
    const feed = await parseFeed(body, null, 'https://n.test/rss');
    expect(feed.language).toBe('ru-RU');
    expect(feed.items.map((i) => [i.author, i.categories, i.language])).toEqual([
      ['Анна Иванова', ['Политика', 'World'], 'ru-RU'],
      ['Jane Doe', [], 'en'],
    ]);
  });
});

const cleanTitleOf = (html: string | null): string => htmlToText(html ?? '').replace(/\s+/g, ' ').trim();

describe('parseFeed: ill-formed XML is recovered and recorded, never fatal', () => {
  const recover = async (xml: string) => parseFeed(Buffer.from(xml, 'utf8'), 'application/rss+xml', 'https://n.test/rss');

  it('escapes a bare & and reads HTML named entities from the full HTML5 table', async () => {
    const feed = await recover('<rss><channel><title>Tom & Jerry &hellip; &NotNestedGreaterGreater; &frac78;</title><item><link>https://n.test/?a=1&b=2</link></item></channel></rss>');
    expect(feed.title).toBe('Tom & Jerry \u2026 \u2AA2\u0338 \u215E');
    expect(feed.items[0]!.link).toBe('https://n.test/?a=1&b=2');
    expect(feed.problems).toEqual(expect.arrayContaining(['unescaped & escaped', 'HTML named entity without DTD']));
  });

  it('drops control characters', async () => {
    const feed = await recover('<rss><channel><title>bell\u0007 and form\u000c feed</title></channel></rss>');
    expect(feed.title).toBe('bell and form feed');
    expect(feed.problems).toContain('control characters removed');
  });

  it('keeps the items before a truncated tail', async () => {
    const full = '<rss version="2.0"><channel><title>t</title>' + [1, 2, 3].map((n) => `<item><title>n${n}</title><link>https://n.test/${n}</link></item>`).join('') + '</channel></rss>';
    const feed = await recover(full.slice(0, full.indexOf('<link>https://n.test/3') + 12));
    expect(feed.items.map((i) => i.title)).toEqual(['n1', 'n2', 'n3']);
    expect(feed.items.slice(0, 2).map((i) => i.link)).toEqual(['https://n.test/1', 'https://n.test/2']);
    expect(feed.problems!.join(' ')).toContain('truncated');
  });

  it('closes an incomplete CDATA section (feedparser rss_incomplete_cdata.xml)', async () => {
    const feed = await parse('feedparser/illformed/rss_incomplete_cdata.xml');
    expect(feed.title).toBe('can feedparser read this xml');
    expect(feed.link).toBe('http://adcdefgh.com');
    expect(feed.problems!.join(' ')).toContain('truncated');
    const open = await recover('<rss><channel><item><title><![CDATA[Breaking: <b>news</b>');
    expect(open.items[0]!.title).toBe('Breaking: <b>news</b>');
    expect(open.problems).toContain('incomplete CDATA section closed');
  });

  it('closes mismatched tags instead of failing', async () => {
    const feed = await recover('<rss version="2.0"><channel><title>x</title><item><title>a</title></channel></rss>');
    expect(feed.items.map((i) => i.title)).toEqual(['a']);
    expect(feed.problems!.length).toBeGreaterThan(0);
  });

  it('records nothing for a clean document', async () => {
    expect((await parse('rss-parser/input/guardian.rss')).problems).toEqual([]);
  });
});

describe('parseFeed: entity-expansion payloads stay inert', () => {
  it('does not expand a billion-laughs DTD (fast, small, recorded)', async () => {
    const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)].join('\n');
    const body = Buffer.from(`<?xml version="1.0"?><!DOCTYPE rss [${lol}]><rss version="2.0"><channel><title>&lol9;</title><item><title>ok</title><link>https://n.test/1</link></item></channel></rss>`);
    const started = performance.now();
    const feed = await parseFeed(body, null, 'https://n.test/rss');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(feed.title).toBe('&lol9;');
    expect(feed.items).toHaveLength(1);
    expect(feed.problems).toContain('undefined entity escaped');
  });

  it('never reads file:// external entities', async () => {
    const body = Buffer.from('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><title>a&xxe;b</title></channel></rss>');
    const feed = await parseFeed(body, null, 'https://n.test/rss');
    expect(feed.title).toBe('a&xxe;b');
    expect(feed.title).not.toContain('root:');
  });

  it('never fetches http external entities or external DTDs (a local canary sees no request)', async () => {
    const canary = await startFeedServer({ '/evil.dtd': { body: '<!ENTITY x "pwned">' }, '/secret': { body: 'pwned' } });
    try {
      const body = Buffer.from(
        `<?xml version="1.0"?><!DOCTYPE rss SYSTEM "${canary.url('/evil.dtd')}" [<!ENTITY ext SYSTEM "${canary.url('/secret')}"><!ENTITY % p SYSTEM "${canary.url('/evil.dtd')}">%p;]><rss version="2.0"><channel><title>&ext;&x;</title></channel></rss>`,
      );
      const feed = await parseFeed(body, null, 'https://n.test/rss');
      expect(feed.title).not.toContain('pwned');
      await new Promise((r) => setTimeout(r, 50));
      expect(canary.connections()).toBe(0);
    } finally {
      await canary.close();
    }
  });

  it('proves the underlying sax parser alone does not expand internal entities either', async () => {
    // Defence in depth: even if the DOCTYPE stripping were bypassed, xml2js/sax (strict) treats a
    // DTD-declared entity as undefined instead of expanding it.
    // xml2js ships no types; it is rss-parser's XML layer, loaded the way rss-parser loads it.
    const { Parser } = createRequire(import.meta.url)('xml2js') as { Parser: new () => { parseStringPromise(xml: string): Promise<unknown> } };
    const xml = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;&a;">]><r>&b;</r>';
    await expect(new Parser().parseStringPromise(xml)).rejects.toThrow(/entity/i);
  });
});
