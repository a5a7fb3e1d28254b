import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { QueryNode } from '../../../core/query/ast.ts';
import type { MatchableArticle } from '../../../core/types.ts';
import { compileMatcher, compilePreparedMatcher, prepareArticle } from '../../../core/query/match.ts';
import { parseQuery } from '../../../core/query/parse.ts';
import { normalizeText } from '../../../core/query/tokenize.ts';
import { textLeafToMatch } from '../../../store/sqlite/query-to-sql.ts';

function article(over: Partial<MatchableArticle>): MatchableArticle {
  return { title: '', text: '', outletId: 'rt', language: 'en', actors: [], themes: [], ...over };
}

const matches = (q: string, a: MatchableArticle): boolean => compileMatcher(parseQuery(q))(a);

describe('compileMatcher: text', () => {
  const a = article({
    title: 'Syria: White Helmets accused',
    text: "Russia's defence ministry said the al-Nusra front staged an attack in Idlib. Café owners fled.",
  });

  it('matches terms in title or body, and title: only in the title', () => {
    expect(matches('syria', a)).toBe(true);
    expect(matches('idlib', a)).toBe(true);
    expect(matches('title:syria', a)).toBe(true);
    expect(matches('title:idlib', a)).toBe(false);
    expect(matches('damascus', a)).toBe(false);
  });

  it('matches phrases only when consecutive and never across title -> body', () => {
    expect(matches('"white helmets"', a)).toBe(true);
    expect(matches('"helmets white"', a)).toBe(false);
    expect(matches('"staged attack"', a)).toBe(false);
    expect(matches('"staged an attack"', a)).toBe(true);
    expect(matches('"accused russia"', a)).toBe(false);
    expect(matches('al-Nusra', a)).toBe(true);
    expect(matches('"nusra front staged"', a)).toBe(true);
    expect(matches("Russia's", a)).toBe(true);
  });

  it('evaluates boolean structure', () => {
    expect(matches('syria damascus', a)).toBe(false);
    expect(matches('syria OR damascus', a)).toBe(true);
    expect(matches('syria -damascus', a)).toBe(true);
    expect(matches('syria -idlib', a)).toBe(false);
    expect(matches('-damascus', a)).toBe(true);
    expect(matches('-syria', a)).toBe(false);
    expect(matches('(damascus OR aleppo) OR (idlib russia)', a)).toBe(true);
    expect(matches('', a)).toBe(true);
  });

  it('folds diacritics and case the same way on both sides', () => {
    expect(matches('cafe', a)).toBe(true);
    expect(matches('CAFÉ', a)).toBe(true);
    expect(matches('cafe', article({ text: 'Cafe\u0301 society' }))).toBe(true);
    expect(matches('"Белые каски"', article({ text: 'Заявили белые каски в Идлибе' }))).toBe(true);
    expect(matches('"белые каски"', article({ title: 'БЕЛЫЕ КАСКИ' }))).toBe(true);
    expect(matches('ёлка', article({ text: 'новогодняя елка' }))).toBe(true);
    expect(matches('елка', article({ text: 'Ёлка' }))).toBe(true);
    expect(matches('йод', article({ text: 'иод' }))).toBe(false);
    expect(matches('الدفاع المدني', article({ text: 'قالَ الدِّفاعُ المَدَنِيُّ السُّورِيُّ' }))).toBe(true);
    expect(matches('"الخوذ البيضاء"', article({ text: 'منظمة الخُوَذ البَيْضاء' }))).toBe(true);
    expect(matches('白头盔组织', article({ text: '叙利亚白头盔组织称' }))).toBe(false);
    expect(matches('叙利亚白头盔组织称', article({ text: '叙利亚白头盔组织称，袭击' }))).toBe(true);
  });
});

describe('compileMatcher: tags', () => {
  const a = article({ outletId: 'rt', language: 'RU', actors: ['white-helmets', 'russia'], themes: ['staged-attack'] });

  it('compares outlet, lang, actor and theme exactly', () => {
    expect(matches('outlet:rt', a)).toBe(true);
    expect(matches('outlet:rt-com', a)).toBe(false);
    expect(matches('lang:ru', a)).toBe(true);
    expect(matches('lang:en', a)).toBe(false);
    expect(matches('actor:white-helmets', a)).toBe(true);
    expect(matches('actor:white', a)).toBe(false);
    expect(matches('theme:staged-attack -actor:nato', a)).toBe(true);
    expect(matches('theme:other OR actor:russia', a)).toBe(true);
  });
});

describe('prepareArticle / compilePreparedMatcher', () => {
  it('gives the same answers for prepared and raw articles, over many queries', () => {
    const a = article({ title: 'Idlib ceasefire', text: 'Turkey and Russia agreed on a ceasefire in Idlib.', actors: ['turkey'] });
    const prepared = prepareArticle(a);
    const queries = ['idlib', 'title:turkey', '"ceasefire in idlib"', 'actor:turkey -russia', 'lang:en', 'nato OR turkey'];
    const raw = queries.map((q) => compileMatcher(parseQuery(q))(a));
    expect(queries.map((q) => compileMatcher(parseQuery(q))(prepared))).toEqual(raw);
    expect(queries.map((q) => compilePreparedMatcher(parseQuery(q))(prepared))).toEqual(raw);
    expect(raw).toEqual([true, false, true, false, true, true]);
  });

  it('tokenizes title and body separately', () => {
    const p = prepareArticle(article({ title: 'A b', text: 'C d' }));
    expect(p.titleTokens).toEqual(['a', 'b']);
    expect(p.bodyTokens).toEqual(['c', 'd']);
  });
});

/*
 * The point of the matcher: the same answer as the SQLite store. Index normalized title/body in FTS5 exactly as the
 * store does, translate each AST to SQL over FTS5 MATCH (test-local; the real compiler lives elsewhere) and compare
 * the matching ids over real articles and multilingual samples.
 */
describe('agreement with SQLite FTS5', () => {
  const db = new Database(':memory:');
  db.exec('CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize = "unicode61 remove_diacritics 2")');
  afterAll(() => db.close());

  function toSql(node: QueryNode, params: string[]): string {
    const fts = (expr: string): string => {
      params.push(expr);
      return 'rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)';
    };
    const col = (field: 'text' | 'title'): string => (field === 'title' ? 'title : ' : '');
    switch (node.kind) {
      case 'all':
        return '1';
      case 'term':
        return fts(`${col(node.field)}"${node.value.replace(/"/g, '""')}"`);
      case 'phrase':
        return fts(`${col(node.field)}"${node.words.join(' ').replace(/"/g, '""')}"`);
      case 'and':
        return `(${node.children.map((c) => toSql(c, params)).join(' AND ')})`;
      case 'or':
        return `(${node.children.map((c) => toSql(c, params)).join(' OR ')})`;
      case 'not':
        return `NOT ${toSql(node.child, params)}`;
      case 'proximity':
      case 'prefix':
        // The store's own FTS5 expressions (NEAR with the adjusted distance, `"x" *`), checked here against FTS5.
        return fts(textLeafToMatch(node));
      case 'tag':
      case 'date':
        throw new Error('tags and dates are not part of this cross-check');
    }
  }

  function compare(articles: MatchableArticle[], queries: string[]): void {
    db.exec('DELETE FROM fts');
    const ins = db.prepare('INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)');
    db.transaction(() => articles.forEach((a, i) => ins.run(i + 1, normalizeText(a.title), normalizeText(a.text))))();
    const prepared = articles.map(prepareArticle);
    for (const q of queries) {
      const ast = parseQuery(q);
      const params: string[] = [];
      const sql = `SELECT rowid FROM fts WHERE ${toSql(ast, params)} ORDER BY rowid`;
      const fromFts = (db.prepare(sql).all(...params) as { rowid: number }[]).map((r) => r.rowid);
      const m = compilePreparedMatcher(ast);
      const fromMatcher = prepared.flatMap((p, i) => (m(p) ? [i + 1] : []));
      expect(fromMatcher, q).toEqual(fromFts);
      // Each query must separate the articles, or the comparison proves nothing.
      expect(fromFts.length, q).toBeGreaterThan(0);
      expect(fromFts.length, q).toBeLessThan(articles.length);
    }
  }

  it('matches the same multilingual samples', () => {
    const samples: MatchableArticle[] = [
      article({ title: 'Белые каски', text: 'Ещё одна «постановка» в Идлибе, заявили в Минобороны' }),
      article({ title: 'الخوذ البيضاء', text: 'قالَ الدِّفاعُ المَدَنِيُّ السُّورِيُّ إنَّ ٣٥ شخصاً قُتِلوا' }),
      article({ title: 'Le président à l’Élysée', text: 'Une « ligne rouge » franchie, café crème, 1,200 morts' }),
      article({ title: '叙利亚白头盔组织', text: '联合国安理会将召开会议。' }),
      article({ title: "Don't panic", text: 'The U.S.-backed al-Nusra front (so-called) rose 3.5%' }),
    ];
    compare(samples, [
      '"белые каски"',
      'еще',
      'Ещё OR cafe',
      'الدفاع',
      '"الدفاع المدني"',
      'président',
      '"ligne rouge" -title:panic',
      '"ligne rouge" -title:elysee OR каски',
      '1,200',
      '叙利亚白头盔组织',
      "don't",
      'al-Nusra OR 3.5',
      '-"u s"',
      'title:(каски OR panic)',
      '"заявили идлибе"~2',
      '"заявили идлибе"~1',
      '"front al"~1',
      '"front nusra"~0',
      '"backed nusra rose"~4',
      '"backed nusra rose"~3 OR cafe',
      'title:"panic don"~0 OR cafe',
      'минобор*',
      'title:pré*',
      'prés* OR идл*',
    ]);
  });

  it('matches the same real news articles (ReCOVery corpus, first 300)', () => {
    const gz = readFileSync(new URL('../../../../shared/corpus/recovery-news.jsonl.gz', import.meta.url));
    const rows = gunzipSync(gz).toString('utf8').split('\n').filter(Boolean).slice(0, 300);
    const articles = rows.map((line) => {
      const r = JSON.parse(line) as { title: string | null; text: string | null };
      return article({ title: r.title ?? '', text: r.text ?? '' });
    });
    compare(articles, [
      'coronavirus',
      '"social distancing"',
      'title:covid',
      'vaccine -trump',
      'china OR wuhan',
      '"world health organization" OR who',
      '(mask OR masks) NOT title:mask',
      '-coronavirus',
      "don't",
      'covid-19',
      'title:"new york" OR "stay at home"',
      'hydroxychloroquine (trump OR fauci) -"clinical trial"',
      '"social distancing"~3',
      '"distancing social"~0',
      '"health world organization"~1',
      '"health world organization"~4',
      '"trump vaccine"~10',
      '"trump vaccine"~20 OR "fauci mask"~20',
      'title:"trump coronavirus"~6',
      'vacc* -vaccine',
      'hydroxy* OR title:quarant*',
      'corona* NOT "coronavirus pandemic"~2',
    ]);
  });
});
