import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { isTokenCodePoint, normalizeText, tokenize, tokenizeWithOffsets } from '../../../core/query/tokenize.ts';

const db = new Database(':memory:');
db.exec(`
  CREATE VIRTUAL TABLE fts USING fts5(body, tokenize = "unicode61 remove_diacritics 2");
  CREATE VIRTUAL TABLE fts_vocab USING fts5vocab(fts, 'instance');
`);
afterAll(() => db.close());

/** FTS5's own tokens of each text, in order. */
function fts5Tokens(texts: string[]): string[][] {
  db.exec('DELETE FROM fts');
  const ins = db.prepare('INSERT INTO fts(rowid, body) VALUES (?, ?)');
  db.transaction(() => texts.forEach((t, i) => ins.run(i + 1, t)))();
  const out: string[][] = texts.map(() => []);
  const rows = db.prepare('SELECT doc, term FROM fts_vocab ORDER BY doc, offset').all() as { doc: number; term: string }[];
  for (const r of rows) out[r.doc - 1]?.push(r.term);
  return out;
}

const SAMPLES = [
  "Don't panic: the U.S.-backed rebels' al-Nusra front (so-called) isn't \"moderate\" — CNN's e-mail.",
  'Russia says 1,200 civilians fled; the rate rose 3.5% to 4.25 on 12/02/2018 at 10:30.',
  'Белые каски инсценировали химическую атаку в Идлибе, заявил Минобороны России',
  'Ещё ёлка: Йошкар-Ола, «Новая газета» — 5 000 рублей',
  'قالَ الدِّفاعُ المَدَنِيُّ السُّورِيُّ (الخوذ البيضاء) إنَّ ٣٥ شخصاً قُتِلوا',
  "Le président Macron a déclaré à l'Élysée qu'une « ligne rouge » était franchie — garçon naïve Noël",
  '叙利亚白头盔组织称，伊德利卜省遭到化学武器袭击。联合国安理会将召开会议。',
  'Ünïcödé ﬁnance Straße İstanbul ΟΔΟΣ οδός ½ café\u0301 Cafe\u0301 emoji🙂test 東京タワー 서울',
];

describe('tokenize agrees with SQLite FTS5 unicode61 remove_diacritics 2', () => {
  it('gives the same tokens as FTS5 over the normalized text, sample by sample', () => {
    const fts = fts5Tokens(SAMPLES.map(normalizeText));
    SAMPLES.forEach((s, i) => expect(tokenize(s), s).toEqual(fts[i]));
  });

  it('gives the same tokens as FTS5 over the raw text where normalization changes nothing FTS5 cares about', () => {
    // Samples 0, 1, 2, 5, 6 have no ё, no tashkeel, no compatibility characters: indexing raw text would agree too.
    const plain = [0, 1, 2, 5, 6].map((i) => SAMPLES[i] ?? '');
    const fts = fts5Tokens(plain);
    plain.forEach((s, i) => expect(tokenize(s), s).toEqual(fts[i]));
  });

  it('finds every token of each sample with MATCH \'"token"\' on the indexed normalized text', () => {
    fts5Tokens(SAMPLES.map(normalizeText));
    const q = db.prepare('SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rowid');
    SAMPLES.forEach((s, i) => {
      for (const tok of tokenize(s)) {
        const rows = (q.all(`"${tok}"`) as { rowid: number }[]).map((r) => r.rowid);
        expect(rows, `${tok} in sample ${i}`).toContain(i + 1);
      }
    });
  });

  it('has the exact FTS5 token-character set and folding, code point by code point', () => {
    const cps: number[] = [];
    // Every BMP code point, except that the two big uniform blocks (CJK ideographs, Hangul syllables) are sampled.
    const uniform = (cp: number): boolean => (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7a3);
    for (let cp = 0x80; cp < 0x10000; cp++) {
      if ((cp < 0xd800 || cp > 0xdfff) && (!uniform(cp) || cp % 7 === 0)) cps.push(cp);
    }
    for (let cp = 0x10000; cp < 0x110000; cp += 97) cps.push(cp);
    cps.push(0x1f642, 0x20000, 0x2a6d6, 0xf0000, 0x10fffd);
    // "a" on both sides: a token character joins them into one token, a separator splits them.
    const raw = cps.map((cp) => `a${String.fromCodePoint(cp)}a`);
    const rawFts = fts5Tokens(raw);
    const predicateMismatches = cps.filter((cp, i) => isTokenCodePoint(cp) !== (rawFts[i]?.length === 1));
    expect(predicateMismatches).toEqual([]);

    const normFts = fts5Tokens(raw.map(normalizeText));
    const tokenMismatches = raw.filter((s, i) => tokenize(s).join('|') !== (normFts[i] ?? []).join('|'));
    expect(tokenMismatches).toEqual([]);
  });
});

describe('normalizeText', () => {
  it('folds case, Latin diacritics, ё and final sigma; strips combining marks', () => {
    expect(normalizeText('Café NAÏVE Ñandú Łódź')).toBe('cafe naive nandu łodz');
    expect(normalizeText('Cafe\u0301')).toBe('cafe');
    expect(normalizeText('Ёлка ещё')).toBe('елка еще');
    expect(normalizeText('Йод')).toBe('йод');
    expect(normalizeText('ΟΔΟΣ οδός')).toBe('οδοσ οδόσ');
    expect(normalizeText('الدِّفاعُ المَدَنِيُّ')).toBe('الدفاع المدني');
  });

  it('applies NFKC and turns glued symbols into spaces while keeping punctuation', () => {
    expect(normalizeText('ﬁnance ＡＢＣ１２３')).toBe('finance abc123');
    expect(normalizeText('Putin🙂said')).toBe('putin said');
    expect(normalizeText('«Hello», World!')).toBe('«hello», world!');
  });
});

describe('tokenize', () => {
  it('splits on punctuation, apostrophes, hyphens and number separators like FTS5', () => {
    expect(tokenize("Don't stop al-Nusra's 1,200 and 3.5%")).toEqual(['don', 't', 'stop', 'al', 'nusra', 's', '1', '200', 'and', '3', '5']);
  });

  it('keeps a run of Han characters as one token and splits at CJK punctuation', () => {
    expect(tokenize('白头盔组织，联合国')).toEqual(['白头盔组织', '联合国']);
  });

  it('keeps Arabic words whole even with tashkeel (FTS5 alone would split at each haraka)', () => {
    expect(tokenize('كَتَبَ الكِتابُ')).toEqual(['كتب', 'الكتاب']);
  });

  it('returns nothing for punctuation-only text', () => {
    expect(tokenize(' -- !!! … ')).toEqual([]);
  });
});

describe('tokenizeWithOffsets', () => {
  it('returns the same tokens as tokenize with spans into the original text', () => {
    for (const s of SAMPLES) {
      const withOffsets = tokenizeWithOffsets(s);
      expect(withOffsets.map((t) => t.token)).toEqual(tokenize(s));
      for (const t of withOffsets) {
        // The original slice yields the token again (spans cover whole characters, marks included; "½" is one
        // character that yields the two tokens "1" and "2", so contain rather than equal).
        expect(tokenize(s.slice(t.start, t.end)), `${s} ${t.start}-${t.end}`).toContain(t.token);
      }
    }
  });

  it('covers combining marks and astral characters in the span', () => {
    const s = 'x Cafe\u0301! 🙂 𠀀𠀁 y';
    expect(tokenizeWithOffsets(s)).toEqual([
      { token: 'x', start: 0, end: 1 },
      { token: 'cafe', start: 2, end: 7 },
      { token: '𠀀𠀁', start: 12, end: 16 },
      { token: 'y', start: 17, end: 18 },
    ]);
  });
});
