import { describe, expect, it } from 'vitest';
import type { QueryNode } from '../../../core/query/ast.ts';
import { QuerySyntaxError } from '../../../core/errors.ts';
import { describeQuery } from '../../../core/query/describe.ts';
import { parseDateValue } from '../../../core/query/dates.ts';
import { compileMatcher } from '../../../core/query/match.ts';
import { MAX_QUERY_WILDCARDS, MAX_WILDCARD_EXPANSIONS, parseQuery, type ParseOptions, type TagResolver } from '../../../core/query/parse.ts';
import { createCatalogResolver } from '../../../core/query/resolver.ts';
import type { MatchableArticle } from '../../../core/types.ts';

const resolver = createCatalogResolver({
  actors: [{ id: 'white-helmets', name: 'White Helmets', aliases: ['Syria Civil Defence'] }],
  themes: [{ id: 'chem', name: 'Chemical attacks' }],
  outlets: [
    { id: 'rt', name: 'RT', country: 'RU', tags: ['state-affiliated'] },
    { id: 'tass', name: 'TASS', country: 'RU', tags: ['state-affiliated', 'wire'] },
    { id: 'reuters', name: 'Reuters', country: 'GB', tags: ['wire'] },
    { id: 'bbc', name: 'BBC', country: 'GB', tags: [] },
  ],
});

function failure(q: string, resolve?: TagResolver, options?: ParseOptions): [string, number, string] {
  try {
    parseQuery(q, resolve, options);
  } catch (err) {
    expect(err).toBeInstanceOf(QuerySyntaxError);
    const e = err as QuerySyntaxError;
    return [e.code, e.position, e.message];
  }
  throw new Error(`expected "${q}" to fail`);
}

const outlet = (value: string): QueryNode => ({ kind: 'tag', field: 'outlet', value });

describe('proximity "a b"~N', () => {
  it('parses to distinct normalized words and a distance, on text or title', () => {
    expect(parseQuery('"White Helmets"~3')).toEqual({ kind: 'proximity', field: 'text', words: ['white', 'helmets'], distance: 3 });
    expect(parseQuery('title:"al-Nusra Idlib"~0')).toEqual({ kind: 'proximity', field: 'title', words: ['al', 'nusra', 'idlib'], distance: 0 });
    // Repeated words collapse (FTS5 lets one occurrence stand for both); one word left is a term.
    expect(parseQuery('"idlib Idlib"~4')).toEqual({ kind: 'term', field: 'text', value: 'idlib' });
    expect(parseQuery('"a b a"~2')).toEqual({ kind: 'proximity', field: 'text', words: ['a', 'b'], distance: 2 });
  });

  it('rejects a missing or oversized distance and glued text, at the position', () => {
    expect(failure('x "a b"~ y')).toEqual(['query_syntax', 7, expect.stringContaining('needs a number')]);
    expect(failure('"a b"~101')).toEqual(['query_too_complex', 5, expect.stringContaining('maximum of 100')]);
    expect(failure('"a b"~3x')).toEqual(['query_syntax', 7, expect.any(String)]);
    expect(failure('actor:"White Helmets"~2', resolver)[0]).toBe('query_syntax');
  });

  it('matches words in any order within the window, never across title and body', () => {
    const a = (title: string, text: string): MatchableArticle => ({ title, text, outletId: 'rt', language: 'en', actors: [], themes: [] });
    const doc = a('Report', 'helmets of the white volunteers; red cross');
    const m = (q: string, x: MatchableArticle): boolean => compileMatcher(parseQuery(q))(x);
    expect(m('"white helmets"~2', doc)).toBe(true); // helmets of the white: 2 others between
    expect(m('"white helmets"~1', doc)).toBe(false);
    expect(m('"helmets volunteers cross"~3', doc)).toBe(false); // window of 7 tokens - 3 words = 4 others
    expect(m('"helmets volunteers cross"~4', doc)).toBe(true);
    expect(m('"report helmets"~10', doc)).toBe(false); // title word + body word
    expect(m('title:"report helmets"~10', doc)).toBe(false);
  });
});

describe('wildcards idl*', () => {
  it('parses a trailing * on one word of at least 3 characters', () => {
    expect(parseQuery('Idl*')).toEqual({ kind: 'prefix', field: 'text', value: 'idl' });
    expect(parseQuery('title:Préz**')).toEqual({ kind: 'prefix', field: 'title', value: 'prez' });
    expect(parseQuery('*')).toEqual({ kind: 'all' });
  });

  it('rejects leading and inner wildcards, short prefixes, multi-word stems and tag wildcards, at the position', () => {
    expect(failure('a *dlib')).toEqual(['query_syntax', 2, expect.stringContaining('only end a word')]);
    expect(failure('a id*lib')).toEqual(['query_syntax', 4, expect.any(String)]);
    expect(failure('a id*')).toEqual(['query_too_complex', 2, expect.stringContaining('at least 3')]);
    expect(failure('x al-nus*')).toEqual(['query_syntax', 2, expect.stringContaining('one word')]);
    expect(failure('outlet:rt*', resolver)).toEqual(['query_syntax', 9, expect.stringContaining('not on outlet')]);
  });

  it('limits the number of wildcards and, when a backend counts them, their expansions', () => {
    const many = Array.from({ length: MAX_QUERY_WILDCARDS + 1 }, (_, i) => `wor${i}*`).join(' ');
    const pos = many.lastIndexOf('wor');
    expect(failure(many)).toEqual(['query_too_complex', pos, expect.stringContaining('wildcards')]);
    const seen: string[] = [];
    const count = (prefix: string, limit: number): number => {
      seen.push(prefix);
      expect(limit).toBe(MAX_WILDCARD_EXPANSIONS);
      return prefix === 'the' ? limit + 1 : 12;
    };
    expect(parseQuery('idl*', undefined, { countPrefixExpansions: count })).toEqual({ kind: 'prefix', field: 'text', value: 'idl' });
    expect(failure('idl* OR The*', undefined, { countPrefixExpansions: count })).toEqual([
      'query_too_complex',
      8,
      expect.stringContaining('more than 1000 different words'),
    ]);
    expect(seen).toEqual(['idl', 'idl', 'the']);
  });

  it('matches tokens starting with the prefix', () => {
    const doc: MatchableArticle = { title: 'Idlib', text: 'Idleness', outletId: 'rt', language: 'en', actors: [], themes: [] };
    expect(compileMatcher(parseQuery('idl*'))(doc)).toBe(true);
    expect(compileMatcher(parseQuery('title:idle*'))(doc)).toBe(false);
    expect(compileMatcher(parseQuery('idle*'))(doc)).toBe(true);
  });
});

describe('published: date ranges', () => {
  it('turns inclusive and exclusive ends into gte/lt instants over whole UTC periods', () => {
    expect(parseQuery('published:[2018-02-01 TO 2018-03-01]')).toEqual({
      kind: 'date', gte: '2018-02-01T00:00:00.000Z', lt: '2018-03-02T00:00:00.000Z',
    });
    expect(parseQuery('published:{2018-02-01 TO 2018-03-01}')).toEqual({
      kind: 'date', gte: '2018-02-02T00:00:00.000Z', lt: '2018-03-01T00:00:00.000Z',
    });
    expect(parseQuery('published:[2018 TO *]')).toEqual({ kind: 'date', gte: '2018-01-01T00:00:00.000Z' });
    expect(parseQuery('published:{* TO 2018-02}')).toEqual({ kind: 'date', lt: '2018-02-01T00:00:00.000Z' });
    expect(parseQuery('published:[* TO *]')).toEqual({ kind: 'date' });
    expect(parseQuery('published:2018-02')).toEqual({ kind: 'date', gte: '2018-02-01T00:00:00.000Z', lt: '2018-03-01T00:00:00.000Z' });
    expect(parseQuery('published:[2018-02-01T12:00+02:00 TO 2018-02-01T12:00:30.5Z]')).toEqual({
      kind: 'date', gte: '2018-02-01T10:00:00.000Z', lt: '2018-02-01T12:00:30.501Z',
    });
    expect(parseQuery('syria published:[2018-02-01 TO 2018-03-01] -rt')).toEqual({
      kind: 'and',
      children: [
        { kind: 'term', field: 'text', value: 'syria' },
        { kind: 'date', gte: '2018-02-01T00:00:00.000Z', lt: '2018-03-02T00:00:00.000Z' },
        { kind: 'not', child: { kind: 'term', field: 'text', value: 'rt' } },
      ],
    });
  });

  it('reports bad dates, missing TO, unterminated and empty ranges at the position', () => {
    expect(failure('x published:[2018-02-30 TO *]')).toEqual(['query_syntax', 13, expect.stringContaining('not a date')]);
    expect(failure('published:[2018-02-01 TO 2018-13]')).toEqual(['query_syntax', 25, expect.any(String)]);
    expect(failure('published:[2018 2019]')).toEqual(['query_syntax', 10, expect.stringContaining('TO')]);
    expect(failure('published:[2018 to 2019]')).toEqual(['query_syntax', 10, expect.stringContaining('TO')]);
    expect(failure('published:[2018 TO 2019')).toEqual(['query_syntax', 10, expect.stringContaining('unterminated')]);
    expect(failure('published:[2019 TO 2018]')).toEqual(['query_syntax', 10, expect.stringContaining('empty')]);
    expect(failure('published:*')).toEqual(['query_syntax', 10, expect.any(String)]);
    expect(failure('published: 2018')).toEqual(['query_syntax', 0, expect.any(String)]);
  });

  it('parses date values as periods and rejects impossible ones', () => {
    expect(parseDateValue('2020-02-29')).toEqual({ start: Date.UTC(2020, 1, 29), end: Date.UTC(2020, 2, 1) });
    expect(parseDateValue('2019-02-29')).toBeNull();
    expect(parseDateValue('2019-12-31T24:00Z')).toBeNull();
    expect(parseDateValue('2019-12-31T10:00-25:00')).toBeNull();
    expect(parseDateValue('yesterday')).toBeNull();
  });

  it('matches on publishedAt, falling back to firstSeenAt, like the stores', () => {
    const base = { title: 't', text: 'x', outletId: 'rt', language: 'en', actors: [], themes: [] };
    const m = compileMatcher(parseQuery('published:[2018-02-01 TO 2018-02-28]'));
    expect(m({ ...base, publishedAt: '2018-02-28T23:59:59.999Z', firstSeenAt: '2019-01-01T00:00:00Z' })).toBe(true);
    expect(m({ ...base, publishedAt: '2018-03-01T00:00:00.000Z', firstSeenAt: '2018-02-02T00:00:00Z' })).toBe(false);
    expect(m({ ...base, publishedAt: null, firstSeenAt: '2018-02-02T00:00:00Z' })).toBe(true);
    expect(m({ ...base, date: '2018-01-31T23:59:59.999Z' })).toBe(false);
    expect(m(base)).toBe(false);
  });
});

describe('entity:, keyword:, collection:, country:', () => {
  it('folds entity and keyword values; resolves collection and country to sorted outlet ORs', () => {
    expect(parseQuery('entity:"White  Helmets"')).toEqual({ kind: 'tag', field: 'entity', value: 'white helmets' });
    expect(parseQuery('keyword:Al-Nusra')).toEqual({ kind: 'tag', field: 'keyword', value: 'al nusra' });
    expect(parseQuery('collection:Wire', resolver)).toEqual({ kind: 'or', children: [outlet('reuters'), outlet('tass')] });
    expect(parseQuery('country:ru', resolver)).toEqual({ kind: 'or', children: [outlet('rt'), outlet('tass')] });
    expect(parseQuery('collection:"state-affiliated" -country:RU', resolver)).toEqual({
      kind: 'and',
      children: [{ kind: 'or', children: [outlet('rt'), outlet('tass')] }, { kind: 'not', child: { kind: 'or', children: [outlet('rt'), outlet('tass')] } }],
    });
    expect(parseQuery('actor:"syria civil defence" outlet:bbc', resolver)).toEqual({
      kind: 'and',
      children: [{ kind: 'tag', field: 'actor', value: 'white-helmets' }, outlet('bbc')],
    });
  });

  it('names unknown collections and countries with their position', () => {
    expect(failure('a collection:tabloid', resolver)).toEqual(['unknown_collection', 13, 'unknown collection "tabloid"']);
    expect(failure('country:FR', resolver)).toEqual(['unknown_country', 8, 'unknown country "FR"']);
    expect(failure('country:RU')).toEqual(['unknown_country', 8, 'unknown country "RU"']);
    expect(failure('entity:"--"')).toEqual(['query_syntax', 7, expect.any(String)]);
  });

  it('matches folded entity texts and stored keywords', () => {
    const doc: MatchableArticle = {
      title: 't', text: 'x', outletId: 'tass', language: 'en', actors: [], themes: [],
      keywords: ['white helmets', 'idlib'], entities: [{ text: 'Jabhat al-Nusra' }, { text: 'Émile Zola' }],
    };
    const m = (q: string): boolean => compileMatcher(parseQuery(q, resolver))(doc);
    expect(m('entity:"jabhat al nusra"')).toBe(true);
    expect(m('entity:"emile zola" keyword:Idlib')).toBe(true);
    expect(m('entity:nusra')).toBe(false);
    expect(m('keyword:"White-Helmets"')).toBe(true);
    expect(m('collection:wire')).toBe(true);
    expect(m('country:gb')).toBe(false);
    const bare: MatchableArticle = { title: 't', text: 'x', outletId: 'rt', language: 'en', actors: [], themes: [] };
    expect(compileMatcher(parseQuery('keyword:idlib OR entity:zola'))(bare)).toBe(false);
  });
});

describe('describeQuery round trip of the new constructs', () => {
  it('re-parses to the same AST', () => {
    for (const q of [
      '"white helmets"~3 title:"a b c"~0',
      'idl* OR title:prez*',
      'published:[2018-02-01 TO 2018-03-01] NOT published:{2018-02-10 TO *]',
      'published:[* TO 2019}',
      'entity:"jabhat al nusra" keyword:idlib',
      'collection:wire OR country:gb',
    ]) {
      const ast = parseQuery(q, resolver);
      expect(parseQuery(describeQuery(ast), resolver), q).toEqual(ast);
    }
  });
});
