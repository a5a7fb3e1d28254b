/** OPML parse, render and import planning: other readers' exports, folders as tags, round trips, hostile input. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.ts';
import { decodeOpmlBytes, parseOpml, planOpmlImport, renderOpml, type OpmlExportOutlet, type OpmlOutlet } from '../../core/opml.ts';
import type { Outlet } from '../../core/types.ts';

/** What Feedly's "Export OPML" writes: OPML 1.0, one level of folders, type="rss" with text and title. */
const FEEDLY = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
    <head>
        <title>Anna subscriptions in feedly Cloud</title>
    </head>
    <body>
        <outline text="Russia" title="Russia">
            <outline type="rss" text="RT - Daily news" title="RT - Daily news" xmlUrl="https://www.rt.com/rss/" htmlUrl="https://www.rt.com"/>
            <outline type="rss" text="TASS" title="TASS" xmlUrl="https://tass.com/rss/v2.xml" htmlUrl="https://tass.com"/>
        </outline>
        <outline text="Wires" title="Wires">
            <outline type="rss" text="Reuters World" title="Reuters World" xmlUrl="https://feeds.reuters.example/worldNews" htmlUrl="https://www.reuters.example"/>
        </outline>
        <outline type="rss" text="Meduza" title="Meduza" xmlUrl="https://meduza.io/rss/all" htmlUrl="https://meduza.io"/>
    </body>
</opml>
`;

/** What Miniflux writes: OPML 2.0, no type attribute, everything in the default "All" category. */
const MINIFLUX = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head>
    <title>Miniflux</title>
    <dateCreated>Thu, 01 Mar 2018 12:00:00 UTC</dateCreated>
  </head>
  <body>
    <outline text="All">
      <outline title="Al Jazeera – News" text="Al Jazeera – News" xmlUrl="https://www.aljazeera.example/xml/rss/all.xml" htmlUrl="https://www.aljazeera.example/" description=""></outline>
      <outline title="Sputnik" text="Sputnik" xmlUrl="https://sputniknews.example/export/rss2/archive/index.xml" htmlUrl="https://sputniknews.example/"></outline>
    </outline>
  </body>
</opml>
`;

/** A researcher's hand-kept list: nested folders, categories, a language attribute and an unescaped "&". */
const RESEARCHER = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Syria coverage</title></head>
  <body>
    <outline text="State media">
      <outline text="Russia">
        <outline type="rss" text="RT" xmlUrl="https://www.rt.com/rss/news/" htmlUrl="https://www.rt.com" language="ru-RU" category="syria,english"/>
        <outline type="rss" text="Sputnik Arabic" xmlUrl="https://sputnikarabic.example/export/rss2/archive/index.xml?lang=ar&section=world" htmlUrl="https://sputnikarabic.example" language="ar"/>
      </outline>
      <outline text="China">
        <outline type="rss" text="CGTN" xmlUrl="https://www.cgtn.example/subscribe/rss/section/world.xml"/>
      </outline>
    </outline>
    <outline text="Independent">
      <outline type="rss" text="Медуза" xmlUrl="https://meduza.io/rss/all" htmlUrl="https://meduza.io" language="ru"/>
    </outline>
  </body>
</opml>
`;

function parseError(xml: string): ValidationError {
  try {
    parseOpml(xml);
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected parseOpml to throw');
}

function byName(outlets: readonly OpmlOutlet[], name: string): OpmlOutlet {
  const found = outlets.find((o) => o.name === name);
  if (!found) throw new Error(`no outlet ${name} in ${outlets.map((o) => o.name).join(', ')}`);
  return found;
}

describe('parseOpml: exports of other readers', () => {
  it('reads a Feedly export: folders become tags, each outline an outlet with its homepage', () => {
    const parsed = parseOpml(FEEDLY);
    expect(parsed.title).toBe('Anna subscriptions in feedly Cloud');
    expect(parsed.problems).toEqual([]);
    expect(parsed.outlets.map((o) => o.name)).toEqual(['RT - Daily news', 'TASS', 'Reuters World', 'Meduza']);
    expect(byName(parsed.outlets, 'RT - Daily news')).toEqual({
      name: 'RT - Daily news',
      homepage: 'https://www.rt.com',
      tags: ['Russia'],
      feeds: ['https://www.rt.com/rss/'],
    });
    expect(byName(parsed.outlets, 'Reuters World').tags).toEqual(['Wires']);
    expect(byName(parsed.outlets, 'Meduza').tags).toEqual([]);
  });

  it('reads a Miniflux export, whose feed outlines carry no type attribute', () => {
    const parsed = parseOpml(MINIFLUX);
    expect(parsed.outlets).toHaveLength(2);
    expect(byName(parsed.outlets, 'Al Jazeera – News')).toMatchObject({
      homepage: 'https://www.aljazeera.example/',
      tags: ['All'],
      feeds: ['https://www.aljazeera.example/xml/rss/all.xml'],
    });
  });

  it('turns nested folders into one path tag, adds categories, keeps the primary language subtag', () => {
    const parsed = parseOpml(RESEARCHER);
    const rt = byName(parsed.outlets, 'RT');
    expect(rt.tags).toEqual(['State media/Russia', 'syria', 'english']);
    expect(rt.language).toBe('ru');
    expect(byName(parsed.outlets, 'CGTN').tags).toEqual(['State media/China']);
    expect(byName(parsed.outlets, 'Медуза')).toMatchObject({ tags: ['Independent'], language: 'ru' });
    // The bare "&" in Sputnik's query string is read as a literal ampersand, and the repair is reported.
    expect(byName(parsed.outlets, 'Sputnik Arabic').feeds).toEqual([
      'https://sputnikarabic.example/export/rss2/archive/index.xml?lang=ar&section=world',
    ]);
    expect(parsed.problems).toEqual(['unescaped "&" characters were read as "&amp;"']);
  });

  it('groups feeds of one outlet by nm:outlet and nm:outletId, under any prefix bound to our namespace', () => {
    const parsed = parseOpml(`<opml version="2.0" xmlns:x="https://narrative-monitor.org/opml"><body>
      <outline type="rss" text="RT World" xmlUrl="https://rt.example/world.xml" x:outlet="RT" x:outletId="rt" x:country="ru" x:tags="state-affiliated,a%2Cb"/>
      <outline type="rss" text="RT Business" xmlUrl="https://rt.example/business.xml" x:outlet="RT" x:outletId="rt"/>
    </body></opml>`);
    expect(parsed.outlets).toEqual([
      { id: 'rt', name: 'RT', country: 'RU', tags: ['state-affiliated', 'a,b'], feeds: ['https://rt.example/world.xml', 'https://rt.example/business.xml'] },
    ]);
  });

  it('accepts an undeclared nm: prefix but ignores nm: bound to another namespace', () => {
    const undeclared = parseOpml('<opml><body><outline text="A" xmlUrl="https://a.example/rss" nm:outlet="Outlet A"/></body></opml>');
    expect(undeclared.outlets[0]?.name).toBe('Outlet A');
    const foreign = parseOpml(
      '<opml xmlns:nm="urn:other"><body><outline text="A" xmlUrl="https://a.example/rss" nm:outlet="Outlet A"/></body></opml>',
    );
    expect(foreign.outlets[0]?.name).toBe('A');
  });

  it('merges a feed listed in two folders, and keeps a feed claimed by two outlets with the first', () => {
    const parsed = parseOpml(`<opml><body>
      <outline text="Syria"><outline text="RT" xmlUrl="https://rt.example/rss"/></outline>
      <outline text="Wires"><outline text="RT" xmlUrl="https://rt.example/rss"/></outline>
      <outline text="Other" xmlUrl="https://rt.example/rss/"/>
    </body></opml>`);
    expect(parsed.outlets).toEqual([{ name: 'RT', tags: ['Syria', 'Wires'], feeds: ['https://rt.example/rss'] }]);
    expect(parsed.problems).toEqual(['feed https://rt.example/rss/ is listed again under outlet "Other"; kept under the first outlet']);
  });

  it('skips outlines that are not http(s) feeds, converts feed: links, and reports bad attributes', () => {
    const parsed = parseOpml(`<opml><body>
      <outline text="Script" xmlUrl="javascript:alert(1)"/>
      <outline text="Local file" xmlUrl="file:///etc/passwd"/>
      <outline text="Old link" xmlUrl="feed://old.example/rss" htmlUrl="not a url" nm:country="Russia" nm:language="english!"/>
      <outline text="No URL" type="rss"/>
    </body></opml>`);
    expect(parsed.outlets).toEqual([{ name: 'Old link', tags: [], feeds: ['http://old.example/rss'] }]);
    expect(parsed.problems).toEqual([
      'outline "Script": xmlUrl "javascript:alert(1)" is not an http(s) URL; skipped',
      'outline "Local file": xmlUrl "file:///etc/passwd" is not an http(s) URL; skipped',
      'outline "Old link": country "Russia" is not a two-letter code; ignored',
      'outline "Old link": language "english!" is not a language code; ignored',
      'outline "Old link": htmlUrl "not a url" is not an http(s) URL; ignored',
      'outline "No URL" has type "rss" but no xmlUrl; skipped',
    ]);
  });

  it('names an outlet after its homepage or feed host when the outline has no text', () => {
    const parsed = parseOpml('<opml><body><outline xmlUrl="https://feeds.example/a.xml"/><outline xmlUrl="https://x.example/b" htmlUrl="https://www.site.example/"/></body></opml>');
    expect(parsed.outlets.map((o) => o.name)).toEqual(['feeds.example', 'www.site.example']);
  });

  it('decodes HTML named entities and character references in attributes', () => {
    const parsed = parseOpml('<opml><body><outline text="Le&nbsp;Monde &amp; co &#x2014; &#1052;" xmlUrl="https://lemonde.example/rss"/></body></opml>');
    // The no-break space is whitespace like any other in a name.
    expect(parsed.outlets[0]?.name).toBe('Le Monde & co — М');
  });
});

describe('parseOpml: malformed and hostile documents', () => {
  it('drops control characters (terminal escapes) from names and URLs', () => {
    // sax refuses them as character references (&#27;) but lets literal ones through.
    const parsed = parseOpml('<opml><body><outline text="Evil\u001b[31mRed\u0007" xmlUrl="https://a.example/\u001brss"/></body></opml>');
    expect(parsed.outlets).toEqual([{ name: 'Evil[31mRed', tags: [], feeds: ['https://a.example/rss'] }]);
    expect(() => parseOpml('<opml><body><outline text="&#27;" xmlUrl="https://a.example/"/></body></opml>')).toThrow(/Invalid character entity/);
  });

  it.each([
    ['', /the document is empty/],
    ['   \n ', /the document is empty/],
    ['this is not xml', /line 1, column \d+: Non-whitespace before first tag/],
    ['{"feeds": []}', /Non-whitespace before first tag/],
    ['<html><body><p>Not found</p></body></html>', /the root element is <html>, not <opml>/],
    ['<rss version="2.0"><channel/></rss>', /not <opml>/],
    ['<?xml version="1.0"?>', /no root element/],
    ['<opml version="2.0"><head><title>x</title></head></opml>', /no <body>/],
    ['<opml><body><outline text="a" xmlUrl="https://a.example/"></body></opml>', /line 1, column \d+: Unexpected close tag/],
    ['<opml><body><outline text="a" xmlUrl="https://a.example/"/>', /Unclosed root tag/],
    ['<opml><body><outline text="a xmlUrl="https://a.example/"/></body></opml>', /^opml: line 1/],
  ])('refuses %j with a clear opml_invalid error', (xml, message) => {
    const err = parseError(xml);
    expect(err.code).toBe('opml_invalid');
    expect(err.message).toMatch(/^opml: /);
    expect(err.message).toMatch(message);
  });

  it('never expands a billion-laughs entity payload', () => {
    const levels = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('\n');
    const xml = `<?xml version="1.0"?>
<!DOCTYPE opml [
<!ENTITY lol0 "lol">
${levels}
]>
<opml version="2.0"><body><outline text="&lol9;" xmlUrl="https://a.example/rss"/></body></opml>`;
    const started = performance.now();
    const err = parseError(xml);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(err.message).toMatch(/Invalid character entity \(entities declared in a DOCTYPE are not expanded\)/);
  });

  it('never resolves an external entity', () => {
    const xml = `<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&xxe;" xmlUrl="https://a.example/rss"/></body></opml>`;
    const err = parseError(xml);
    expect(err.message).toContain('not expanded');
    expect(err.message).not.toContain('root:');
  });

  it('reads a document whose DOCTYPE declares nothing it uses', () => {
    const parsed = parseOpml('<!DOCTYPE opml><opml><body><outline text="A" xmlUrl="https://a.example/rss"/></body></opml>');
    expect(parsed.outlets.map((o) => o.feeds)).toEqual([['https://a.example/rss']]);
  });
});

describe('decodeOpmlBytes', () => {
  const opml = (title: string): string => `<opml><head><title>${title}</title></head><body/></opml>`;

  it('honours the declared encoding of a non-UTF-8 file (windows-1251)', () => {
    const head = new TextEncoder().encode('<?xml version="1.0" encoding="windows-1251"?><opml><head><title>');
    const russia = [0xd0, 0xee, 0xf1, 0xf1, 0xe8, 0xff];
    const tail = new TextEncoder().encode('</title></head><body/></opml>');
    const text = decodeOpmlBytes(new Uint8Array([...head, ...russia, ...tail]));
    expect(parseOpml(text).title).toBe('Россия');
  });

  it('prefers valid UTF-8 over a declaration that says otherwise, and honours BOMs', () => {
    const lying = new TextEncoder().encode(`<?xml version="1.0" encoding="ISO-8859-1"?>${opml('Россия')}`);
    expect(parseOpml(decodeOpmlBytes(lying)).title).toBe('Россия');
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(opml('Сирия'))]);
    expect(parseOpml(decodeOpmlBytes(bom)).title).toBe('Сирия');
    const utf16 = opml('سوريا');
    const le = new Uint8Array(2 + utf16.length * 2);
    le.set([0xff, 0xfe]);
    for (let i = 0; i < utf16.length; i += 1) {
      le[2 + i * 2] = utf16.charCodeAt(i) & 0xff;
      le[3 + i * 2] = utf16.charCodeAt(i) >> 8;
    }
    expect(parseOpml(decodeOpmlBytes(le)).title).toBe('سوريا');
  });
});

const OUTLETS: OpmlExportOutlet[] = [
  {
    id: 'rt',
    name: 'RT',
    homepage: 'https://www.rt.com',
    country: 'RU',
    language: 'ru',
    tags: ['State media/Russia', 'state-affiliated', 'syria, idlib'],
    feeds: [{ url: 'https://www.rt.com/rss/news/', title: 'RT World News' }, { url: 'https://www.rt.com/rss/business/?x=1&y=2' }],
  },
  {
    id: 'cgtn',
    name: 'CGTN',
    country: 'CN',
    language: 'en',
    tags: ['State media/China'],
    feeds: [{ url: 'https://www.cgtn.example/world.xml', title: null }],
  },
  { id: 'bbc', name: 'BBC News', homepage: 'https://www.bbc.example/news', tags: [], feeds: [{ url: 'https://feeds.bbc.example/news/world/rss.xml' }] },
  { id: 'enab-baladi', name: 'Enab Baladi "عنب بلدي" <Syria> & co', language: 'ar', tags: ['Independent'], feeds: [{ url: 'https://www.enabbaladi.example/feed/' }] },
  { id: 'no-feeds', name: 'No feeds', tags: ['x'], feeds: [] },
];

describe('renderOpml', () => {
  const xml = renderOpml(OUTLETS, { title: 'Narrative Monitor feeds', dateCreated: new Date('2018-03-01T12:00:00Z') });

  it('writes OPML 2.0 with our namespace, an RFC 822 date and one outline per feed', () => {
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<opml version="2.0" xmlns:nm="https:\/\/narrative-monitor.org\/opml">/);
    expect(xml).toContain('<dateCreated>Thu, 01 Mar 2018 12:00:00 GMT</dateCreated>');
    expect(xml.match(/type="rss"/g)).toHaveLength(5);
    expect(xml).not.toContain('No feeds');
  });

  it('nests folders from the first tag and writes every tag as category and nm:tags', () => {
    const lines = xml.split('\n');
    const indexOf = (needle: string): number => lines.findIndex((l) => l.includes(needle));
    const stateMedia = indexOf('<outline text="State media"');
    const russia = indexOf('<outline text="Russia"');
    const rtFeed = indexOf('xmlUrl="https://www.rt.com/rss/news/"');
    expect(stateMedia).toBeGreaterThan(-1);
    expect(russia).toBeGreaterThan(stateMedia);
    expect(rtFeed).toBeGreaterThan(russia);
    expect(lines[rtFeed]).toMatch(/^ {8}<outline type="rss" text="RT World News" title="RT World News"/);
    expect(lines[rtFeed]).toContain('category="State media/Russia,state-affiliated,syria  idlib"');
    expect(lines[rtFeed]).toContain('nm:outlet="RT" nm:outletId="rt" nm:country="RU" nm:language="ru" nm:tags="State media/Russia,state-affiliated,syria%2C idlib"');
    // An untagged outlet sits at the top level of the body.
    expect(lines[indexOf('feeds.bbc.example')]).toMatch(/^ {4}<outline type="rss" text="BBC News"/);
  });

  it('escapes attribute values and is read back by the parser', () => {
    expect(xml).toContain('nm:outlet="Enab Baladi &quot;عنب بلدي&quot; &lt;Syria&gt; &amp; co"');
    expect(xml).toContain('xmlUrl="https://www.rt.com/rss/business/?x=1&amp;y=2"');
    const dirty = renderOpml([{ id: 'a', name: 'Bad\u0001name\nnext', tags: [], feeds: [{ url: 'https://a.example/' }] }], {
      title: 'T',
      dateCreated: new Date(0),
    });
    expect(parseOpml(dirty).outlets[0]?.name).toBe('Badname next');
    expect(parseOpml(xml).problems).toEqual([]);
  });
});

describe('round trip', () => {
  it('export → import → export preserves outlets, ids, tags and folders', () => {
    const first = renderOpml(OUTLETS, { title: 'T', dateCreated: new Date('2018-03-01T00:00:00Z') });
    const plan = planOpmlImport(parseOpml(first).outlets, []);
    const restored = plan.map((e) => ({ ...e.outlet, feeds: e.feeds }));
    const expected = OUTLETS.filter((o) => o.feeds.length > 0);
    expect(restored.map((o) => o.id).sort()).toEqual(expected.map((o) => o.id).sort());
    for (const original of expected) {
      const back = restored.find((o) => o.id === original.id)!;
      const { feeds: _feeds, ...outlet } = original;
      const { feeds: _back, ...backOutlet } = back;
      expect(backOutlet).toEqual(outlet);
      expect([...back.feeds].sort()).toEqual(original.feeds.map((f) => f.url).sort());
    }
    const titles = new Map(expected.flatMap((o) => o.feeds.map((f) => [f.url, f.title ?? null] as const)));
    const second = renderOpml(
      restored.map((o) => ({ ...o, feeds: o.feeds.map((url) => ({ url, title: titles.get(url) ?? null })) })),
      { title: 'T', dateCreated: new Date('2018-03-01T00:00:00Z') },
    );
    expect(second).toBe(first);
  });

  it("a researcher's nested folders survive import → export → import", () => {
    const plan = planOpmlImport(parseOpml(RESEARCHER).outlets, []);
    const exported = renderOpml(
      plan.map((e) => ({ ...e.outlet, feeds: e.feeds.map((url) => ({ url })) })),
      { title: 'T', dateCreated: new Date(0) },
    );
    // The export nests Russia and China inside one State media folder, like the original.
    expect(exported.match(/<outline text="State media"/g)).toHaveLength(1);
    expect(exported).toMatch(/<outline text="State media" title="State media">\n\s+<outline text="China"[^\n]*>\n\s+<outline type="rss" text="CGTN"/);
    const again = parseOpml(exported);
    const tagsOf = (outlets: readonly OpmlOutlet[]): Record<string, string[]> => Object.fromEntries(outlets.map((o) => [o.name, o.tags]));
    expect(tagsOf(again.outlets)).toEqual(tagsOf(parseOpml(RESEARCHER).outlets));
    expect(again.outlets.find((o) => o.name === 'Медуза')?.id).toBe(plan.find((e) => e.outlet.name === 'Медуза')?.outlet.id);
  });
});

describe('planOpmlImport', () => {
  const existing: Outlet[] = [
    { id: 'rt', name: 'RT', tags: ['state-affiliated'], country: 'RU', fullText: true },
    { id: 'bbc', name: 'BBC News', tags: [] },
    { id: 'meduza', name: 'Meduza (Riga)', tags: [] },
  ];

  it('finds outlets by id, then name in any case, then slug; keeps id, name and options; merges tags', () => {
    const plan = planOpmlImport(
      [
        { id: 'rt', name: 'Russia Today', language: 'en', tags: ['Syria', 'state-affiliated'], feeds: ['https://rt.example/a'] },
        { name: 'bbc news', homepage: 'https://www.bbc.example', tags: ['wire'], feeds: ['https://bbc.example/rss'] },
        { name: 'Meduza', tags: [], feeds: ['https://meduza.example/rss'] },
      ],
      existing,
    );
    expect(plan).toEqual([
      {
        outlet: { id: 'rt', name: 'RT', tags: ['state-affiliated', 'Syria'], country: 'RU', language: 'en', fullText: true },
        isNew: false,
        changed: true,
        feeds: ['https://rt.example/a'],
      },
      {
        outlet: { id: 'bbc', name: 'BBC News', homepage: 'https://www.bbc.example', tags: ['wire'] },
        isNew: false,
        changed: true,
        feeds: ['https://bbc.example/rss'],
      },
      { outlet: { id: 'meduza', name: 'Meduza (Riga)', tags: [] }, isNew: false, changed: false, feeds: ['https://meduza.example/rss'] },
    ]);
  });

  it('creates new outlets (the document\'s id when given), merges repeats, drops outlets without feeds', () => {
    const plan = planOpmlImport(
      [
        { id: 'sana', name: 'SANA', country: 'SY', tags: ['a'], feeds: ['https://sana.example/rss'] },
        { name: 'Empty', tags: [], feeds: [] },
        { name: 'Новая газета', tags: ['b'], feeds: ['https://novaya.example/rss'] },
        { name: 'НОВАЯ ГАЗЕТА', tags: ['c'], feeds: ['https://novaya.example/other'] },
        { name: 'R.T.', tags: [], feeds: ['https://rt2.example/rss'] },
      ],
      [{ id: 'r-t', name: 'Something else', tags: [] }],
    );
    expect(plan.map((e) => [e.outlet.id, e.outlet.name, e.isNew, e.outlet.tags, e.feeds])).toEqual([
      ['sana', 'SANA', true, ['a'], ['https://sana.example/rss']],
      [plan[1]!.outlet.id, 'Новая газета', true, ['b', 'c'], ['https://novaya.example/rss', 'https://novaya.example/other']],
      // The slug of the name is an existing id: the same rule as POST /api/feeds finds that outlet.
      ['r-t', 'Something else', false, [], ['https://rt2.example/rss']],
    ]);
    expect(plan[0]!.outlet.country).toBe('SY');
    expect(plan[1]!.outlet.id).toMatch(/^x-[0-9a-f]{10}$/);
  });
});
