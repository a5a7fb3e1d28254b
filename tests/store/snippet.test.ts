/**
 * Snippets built from the raw text (store/sqlite/snippet.ts): marks on the original spelling, windows, fallbacks,
 * HTML safety, and the exactness of the lazy tokenizer and the fast normalizer it relies on.
 */
import { describe, expect, it } from 'vitest';
import type { QueryNode } from '../../core/query/ast.ts';
import { parseQuery } from '../../core/query/parse.ts';
import { normalizeText, tokenizeWithOffsets } from '../../core/query/tokenize.ts';
import {
  createSnippetBuilder,
  escapeHtml,
  normalizeForIndex,
  SNIPPET_WORDS,
  tokenizeLazily,
} from '../../store/sqlite/snippet.ts';

const term = (value: string, field: 'text' | 'title' = 'text'): QueryNode => ({ kind: 'term', field, value });
const phrase = (words: string[], field: 'text' | 'title' = 'text'): QueryNode => ({ kind: 'phrase', field, words });
const snippet = (query: QueryNode | string, text: string, title = 'A title'): string =>
  createSnippetBuilder(typeof query === 'string' ? parseQuery(query) : query)(title, text);
const marks = (html: string): string[] => [...html.matchAll(/<mark>(.*?)<\/mark>/g)].map((m) => m[1] ?? '');
const words = (n: number, prefix = 'w'): string => Array.from({ length: n }, (_, i) => `${prefix}${i}`).join(' ');

describe('createSnippetBuilder', () => {
  it('marks the original spelling: accents, case, tashkeel, ё, NFKC forms', () => {
    expect(snippet('securite', 'Le Conseil de sécurité réuni.')).toBe('Le Conseil de <mark>sécurité</mark> réuni.');
    expect(snippet('еж', 'Ёж и ёлка.')).toBe('<mark>Ёж</mark> и ёлка.');
    expect(marks(snippet('الخوذ', 'أَنْقَذَ مُتَطَوِّعُو الْخُوذِ الْبَيْضَاءِ'))).toEqual(['الْخُوذِ']);
    expect(marks(snippet('financial', 'The ﬁnancial ﬁrms'))).toEqual(['ﬁnancial']);
    expect(marks(snippet('cafe', 'Un cafe\u0301 noir'))).toEqual(['cafe\u0301']);
  });

  it('splits an emoji from the word it is glued to, as the index does', () => {
    expect(snippet('putin', 'Putin🙂said hello')).toBe('<mark>Putin</mark>🙂said hello');
  });

  it('marks a whole phrase occurrence once, and not its words elsewhere', () => {
    const q = phrase(['white', 'helmets']);
    expect(snippet(q, 'Then the White\nHelmets said: white flags, helmets.')).toBe(
      'Then the <mark>White Helmets</mark> said: white flags, helmets.',
    );
    // A phrase and one of its own words overlap: one mark.
    const both: QueryNode = { kind: 'or', children: [q, term('helmets')] };
    expect(marks(snippet(both, 'the White Helmets and helmets'))).toEqual(['White Helmets', 'helmets']);
  });

  it('does not mark a phrase whose words are only apart', () => {
    const s = snippet(phrase(['white', 'helmets']), 'a white house and helmets');
    expect(s).toBe('a white house and helmets');
  });

  it('shows a window of about 30 words around the first match, with ellipses at cut ends', () => {
    const text = `${words(100, 'a')} target ${words(100, 'b')}`;
    const s = snippet('target', text);
    expect(s.startsWith('… a95 a96 a97 a98 a99 <mark>target</mark> b0')).toBe(true);
    expect(s.endsWith(' …')).toBe(true);
    expect(s.replace(/^… | …$/g, '').split(' ')).toHaveLength(SNIPPET_WORDS);
  });

  it('shows a full window when the match is near the end, without a trailing ellipsis', () => {
    const s = snippet('target', `${words(100)} target end.`);
    expect(s.startsWith('… ')).toBe(true);
    expect(s.endsWith('<mark>target</mark> end.')).toBe(true);
    expect(s.slice(2).split(' ')).toHaveLength(SNIPPET_WORDS);
  });

  it('keeps a short text whole, with its punctuation', () => {
    expect(snippet('storm', '«Storm» ahead!')).toBe('«<mark>Storm</mark>» ahead!');
  });

  it('finds a phrase wherever it falls relative to the internal pieces', () => {
    for (let k = 0; k < 400; k += 7) {
      const text = `${'x '.repeat(k)}White Helmets ${'y '.repeat(300)}`;
      expect(marks(snippet('"white helmets"', text))).toEqual(['White Helmets']);
    }
  });

  it('finds a match after many pieces without the word, and one after a false candidate', () => {
    const long = `${'filler words here. '.repeat(500)}the white house, then ${'more '.repeat(300)} white helmets!`;
    expect(marks(snippet('"white helmets"', long))).toEqual(['white helmets']);
    expect(marks(snippet('"white house"', long))).toEqual(['white house']);
  });

  it('falls back to the title when only the title matches, and title: leaves only look there', () => {
    expect(snippet('weather', 'Rain today.', 'Weather report')).toBe('<mark>Weather</mark> report');
    expect(snippet('title:rain', 'Rain today.', 'Rain again')).toBe('<mark>Rain</mark> again');
  });

  it('shows the escaped start of the text for tag-only and negated-only queries', () => {
    const text = `<b>Bold</b> & ${words(60)}`;
    const s = snippet('lang:en', text);
    expect(s.startsWith('&lt;b&gt;Bold&lt;/b&gt; &amp; w0 w1')).toBe(true);
    expect(s.endsWith(' …')).toBe(true);
    expect(s).not.toContain('<mark>');
    expect(snippet('-bold', 'bold text here')).toBe('bold text here');
    expect(snippet('lang:en', '   ', 'Only a title')).toBe('Only a title');
  });

  it('does not mark words under a NOT', () => {
    expect(snippet('storm -rain', 'storm and rain')).toBe('<mark>storm</mark> and rain');
  });

  it('escapes everything; the only markup is <mark>', () => {
    const s = snippet('chemical', `Analysts say <script>alert("x")</script> & 'other' <b>chemical</b> tricks`);
    expect(s).toBe(
      'Analysts say &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;other&#39; &lt;b&gt;<mark>chemical</mark>&lt;/b&gt; tricks',
    );
    expect(s.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
  });

  it('collapses whitespace and handles texts without any word', () => {
    expect(snippet('a', 'a\n\n  b\tc')).toBe('<mark>a</mark> b c');
    expect(snippet('lang:en', '!!! ??? …')).toBe('!!! ??? …');
    expect(snippet('lang:en', '')).toBe('A title');
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

/** Random strings over an alphabet of every kind of character the normalizer treats specially. */
function fuzzStrings(count: number, seed: number): string[] {
  const alphabet = [
    ' ', ' ', '\n', '\r\n', '\t', 'a', 'Z', '9', '-', "'", '.', 'É', 'e\u0301', '\u0301', ' \u0301', 'ё', 'Ё', 'ς', 'Σ',
    'ﬁ', 'Ｎ', '½', '①', 'ß', 'İ', 'ا', 'َ', 'ّ', 'ש', 'ָ', '🙂', '🏽', '🇺🇦', '新', '\u1100', '\u1161', '\u11a8', '한',
    '\ud800', '\udc00', '\u200b', '\u00a0', 'Ω', 'ﷺ', 'ǅ', '\u0000',
    // "=" + U+0338 composes to "≠" under NFKC: an ASCII character followed by a mark is not plain ASCII.
    '=', '<', '\u0338',
  ];
  let a = seed;
  const rand = (): number => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a / 2147483648;
  };
  return Array.from({ length: count }, () =>
    Array.from({ length: Math.floor(rand() * 80) }, () => alphabet[Math.floor(rand() * alphabet.length)] ?? '').join(''),
  );
}

describe('normalizeForIndex', () => {
  it('equals normalizeText on fuzzed and hand-picked text', () => {
    const samples = [
      ...fuzzStrings(3000, 7),
      'Le Conseil de sécurité', 'Cafe\u0301', 'e\u0301', '\u0301abc', 'ёж ЁЖ', 'الْخُوذُ', 'Putin🙂said', 'ＮＡＴＯ', '',
    ];
    for (const s of samples) expect(normalizeForIndex(s), JSON.stringify(s)).toBe(normalizeText(s));
  });
});

describe('tokenizeLazily', () => {
  it('yields exactly tokenizeWithOffsets, whatever the piece size', () => {
    for (const s of fuzzStrings(1500, 11)) {
      const expected = tokenizeWithOffsets(s);
      for (const chunk of [1, 3, 8, 40]) {
        expect([...tokenizeLazily(s, 0, chunk)], `${JSON.stringify(s)} / ${chunk}`).toEqual(expected);
      }
    }
  });
});
