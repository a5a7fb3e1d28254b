/** htmlToText / decodeEntities: the small HTML → text converter used for article text and titles. */
import { describe, expect, it } from 'vitest';
import { cleanTitle, decodeEntities, fixC1Controls, htmlToText, namedEntity } from '../../ingest/html-to-text.ts';
import { parseFeed } from '../../ingest/parse-feed.ts';

describe('htmlToText', () => {
  it('drops script, style and comments with their content', () => {
    expect(htmlToText('<p>Hello</p><script>var x = "<p>evil</p>";</script><style>p{color:red}</style><!-- hidden --><p>world</p>')).toBe(
      'Hello\n\nworld',
    );
  });

  it('drops an unclosed script to the end instead of leaking code', () => {
    expect(htmlToText('Text<script>alert(1)')).toBe('Text');
  });

  it('turns block elements and <br> into line breaks and collapses spaces', () => {
    expect(htmlToText('<h1>Title</h1>\n\n\n<p>One   two<br/>three</p><ul><li>a</li><li>b</li></ul>')).toBe('Title\n\nOne two\nthree\n\na\n\nb');
  });

  it('keeps text that merely contains < and >', () => {
    expect(htmlToText('a < b and c > d')).toBe('a < b and c > d');
    expect(htmlToText('x &lt;script&gt; y')).toBe('x <script> y');
  });

  it('removes tags together with their attributes', () => {
    expect(htmlToText('<a href="https://x.test/?a=1&amp;b=2" title="t">link</a> <img src="x.png" alt="pic"/> end')).toBe('link end');
  });

  it('decodes named, decimal and hex entities, and unwraps CDATA', () => {
    expect(htmlToText('Caf&eacute; &ndash; &#8220;quoted&#x201D; &hellip; &euro;5 <![CDATA[raw & text]]>')).toBe('Café – “quoted” … €5 raw & text');
  });
});

describe('decodeEntities', () => {
  it('leaves unknown entities as written and replaces invalid code points', () => {
    expect(decodeEntities('&bogus; &amp &#0; &#xD800; &#1114112;')).toBe('&bogus; & \uFFFD \uFFFD \uFFFD');
  });

  it('reads &#150;-style references as windows-1252, as browsers do', () => {
    expect(decodeEntities('1990&#150;2000 don&#146;t')).toBe('1990–2000 don’t');
  });

  it('requires the semicolon except for the legacy Latin-1 names', () => {
    expect(decodeEntities('&copy 2024 &mdash x')).toBe('© 2024 &mdash x');
  });
});

describe('cleanTitle and fixC1Controls', () => {
  it('makes a one-line title', () => {
    expect(cleanTitle('\n   Breaking:\n <em>news</em>&nbsp;today  ')).toBe('Breaking: news today');
  });

  it('maps C1 controls to windows-1252 punctuation', () => {
    expect(fixC1Controls('\u0093quoted\u0094 \u0080 \u0081')).toBe('“quoted” € \u0081');
  });

  it('decodes windows-1252 punctuation bytes in a feed title (Node decodes them as C1 controls)', async () => {
    const xml = Buffer.concat([
      Buffer.from('<rss version="2.0"><channel><title>'),
      Buffer.from([0x93, 0x68, 0x69, 0x94, 0x20, 0x96, 0x20, 0xe9]),
      Buffer.from('</title></channel></rss>'),
    ]);
    const feed = await parseFeed(xml, 'application/rss+xml; charset=windows-1252', 'https://feeds.test/x');
    expect(feed.title).toBe('“hi” – é');
  });
});

describe('decodeEntities: the full HTML5 named-entity table', () => {
  it('decodes names beyond HTML 4 (including two-code-point ones) and leaves unknown names alone', () => {
    expect(decodeEntities('&bigstar; &NotNestedGreaterGreater; &fjlig; &Zopf; &hellip; &unknownname;')).toBe('\u2605 \u2AA2\u0338 fj \u2124 \u2026 &unknownname;');
  });

  it('looks up single names for the XML recoverer, null when unknown', () => {
    expect(namedEntity('nbsp')).toBe('\u00a0');
    expect(namedEntity('ncedil')).toBe('\u0146');
    expect(namedEntity('notanentity')).toBeNull();
  });
});

