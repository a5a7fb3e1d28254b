import { describe, expect, it } from 'vitest';
import type { QueryNode } from '../../../core/query/ast.ts';
import { QuerySyntaxError } from '../../../core/errors.ts';
import { describeQuery } from '../../../core/query/describe.ts';
import { parseQuery, type TagResolver } from '../../../core/query/parse.ts';

const t = (value: string, field: 'text' | 'title' = 'text'): QueryNode => ({ kind: 'term', field, value });
const p = (words: string[], field: 'text' | 'title' = 'text'): QueryNode => ({ kind: 'phrase', field, words });
const and = (...children: QueryNode[]): QueryNode => ({ kind: 'and', children });
const or = (...children: QueryNode[]): QueryNode => ({ kind: 'or', children });
const not = (child: QueryNode): QueryNode => ({ kind: 'not', child });
const ALL: QueryNode = { kind: 'all' };

/** Parses, expecting a QuerySyntaxError; returns [code, position]. */
function failure(q: string, resolve?: TagResolver): [string, number] {
  try {
    parseQuery(q, resolve);
  } catch (err) {
    expect(err).toBeInstanceOf(QuerySyntaxError);
    const e = err as QuerySyntaxError;
    expect(e.details).toEqual({ position: e.position });
    return [e.code, e.position];
  }
  throw new Error(`expected "${q}" to fail`);
}

describe('parseQuery: boolean structure', () => {
  it('treats empty and whitespace queries as all', () => {
    expect(parseQuery('')).toEqual(ALL);
    expect(parseQuery('  \t\n')).toEqual(ALL);
  });

  it('joins adjacent clauses with an implicit AND', () => {
    expect(parseQuery('syria idlib')).toEqual(and(t('syria'), t('idlib')));
    expect(parseQuery('syria AND idlib')).toEqual(and(t('syria'), t('idlib')));
  });

  it('binds NOT tighter than AND, and AND tighter than OR', () => {
    expect(parseQuery('a b OR c')).toEqual(or(and(t('a'), t('b')), t('c')));
    expect(parseQuery('a OR b c')).toEqual(or(t('a'), and(t('b'), t('c'))));
    expect(parseQuery('a OR b AND c OR d')).toEqual(or(t('a'), and(t('b'), t('c')), t('d')));
    expect(parseQuery('NOT a b')).toEqual(and(not(t('a')), t('b')));
    expect(parseQuery('a AND NOT b OR c')).toEqual(or(and(t('a'), not(t('b'))), t('c')));
  });

  it('lets parentheses override precedence and flattens nested and/or', () => {
    expect(parseQuery('(a OR b) c')).toEqual(and(or(t('a'), t('b')), t('c')));
    expect(parseQuery('a (b (c d))')).toEqual(and(t('a'), t('b'), t('c'), t('d')));
    expect(parseQuery('(a OR (b OR c)) OR d')).toEqual(or(t('a'), t('b'), t('c'), t('d')));
    expect(parseQuery('((a))')).toEqual(t('a'));
  });

  it('accepts -term, -"phrase", -(group), NOT and +term', () => {
    expect(parseQuery('a -b')).toEqual(and(t('a'), not(t('b'))));
    expect(parseQuery('a -"b c"')).toEqual(and(t('a'), not(p(['b', 'c']))));
    expect(parseQuery('a -(b OR c)')).toEqual(and(t('a'), not(or(t('b'), t('c')))));
    expect(parseQuery('a NOT (b c)')).toEqual(and(t('a'), not(and(t('b'), t('c')))));
    expect(parseQuery('+a +b')).toEqual(and(t('a'), t('b')));
    expect(parseQuery('-(-a)')).toEqual(t('a'));
  });

  it('anchors purely negative queries with all', () => {
    expect(parseQuery('-foo')).toEqual(and(ALL, not(t('foo'))));
    expect(parseQuery('NOT foo -bar')).toEqual(and(ALL, not(t('foo')), not(t('bar'))));
    expect(parseQuery('a OR -b')).toEqual(or(t('a'), and(ALL, not(t('b')))));
  });

  it('treats lowercase and/or/not and a spaced "-" as ordinary text', () => {
    expect(parseQuery('war and peace')).toEqual(and(t('war'), t('and'), t('peace')));
    expect(parseQuery('a or not b')).toEqual(and(t('a'), t('or'), t('not'), t('b')));
    expect(parseQuery('a - b')).toEqual(and(t('a'), t('b')));
  });

  it('accepts && and || as AND and OR', () => {
    expect(parseQuery('a && b || c')).toEqual(or(and(t('a'), t('b')), t('c')));
  });
});

describe('parseQuery: terms and phrases', () => {
  it('normalizes terms and phrases like the index', () => {
    expect(parseQuery('Café')).toEqual(t('cafe'));
    expect(parseQuery('"Белые Каски"')).toEqual(p(['белые', 'каски']));
    expect(parseQuery('Ёлка')).toEqual(t('елка'));
  });

  it('turns a multi-token bare term into a phrase and a one-word phrase into a term', () => {
    expect(parseQuery('al-Nusra')).toEqual(p(['al', 'nusra']));
    expect(parseQuery("Don't")).toEqual(p(['don', 't']));
    expect(parseQuery('"Syria"')).toEqual(t('syria'));
    expect(parseQuery('http://example.com/a')).toEqual(p(['http', 'example', 'com', 'a']));
  });

  it('drops terms that are only punctuation', () => {
    expect(parseQuery('syria , —')).toEqual(t('syria'));
    expect(parseQuery('!!! "..."')).toEqual(ALL);
    expect(parseQuery('a OR ,')).toEqual(t('a'));
    expect(parseQuery('-!!!')).toEqual(ALL);
    // A "-" with nothing glued to it is punctuation, not a dangling NOT.
    expect(parseQuery('a -')).toEqual(t('a'));
  });

  it('reads escaped quotes inside quoted strings', () => {
    expect(parseQuery('actor:"the \\"base\\""')).toEqual({ kind: 'tag', field: 'actor', value: 'the "base"' });
  });
});

describe('parseQuery: fields', () => {
  it('parses title: with a term, a phrase or a group', () => {
    expect(parseQuery('title:Syria')).toEqual(t('syria', 'title'));
    expect(parseQuery('title:"white helmets"')).toEqual(p(['white', 'helmets'], 'title'));
    expect(parseQuery('title:(a OR "b c") d')).toEqual(and(or(t('a', 'title'), p(['b', 'c'], 'title')), t('d')));
    expect(parseQuery('title:al-Nusra')).toEqual(p(['al', 'nusra'], 'title'));
  });

  it('parses tag fields, lowercasing values without a resolver', () => {
    expect(parseQuery('lang:RU')).toEqual({ kind: 'tag', field: 'lang', value: 'ru' });
    expect(parseQuery('outlet:RT')).toEqual({ kind: 'tag', field: 'outlet', value: 'rt' });
    expect(parseQuery('actor:"White Helmets"')).toEqual({ kind: 'tag', field: 'actor', value: 'white helmets' });
    expect(parseQuery('theme:staged-attack -lang:en')).toEqual(
      and({ kind: 'tag', field: 'theme', value: 'staged-attack' }, not({ kind: 'tag', field: 'lang', value: 'en' })),
    );
    expect(parseQuery('Title:x')).toEqual(t('x', 'title'));
  });

  it('passes outlet/actor/theme values to the resolver and uses its ids; lang is never resolved', () => {
    const calls: string[] = [];
    const resolve: TagResolver = (field, value) => {
      calls.push(`${field}=${value}`);
      return value === 'White Helmets' ? 'white-helmets' : value === 'RT' ? 'rt-com' : `${field}-id`;
    };
    expect(parseQuery('actor:"White Helmets" outlet:RT theme:x lang:EN', resolve)).toEqual(
      and(
        { kind: 'tag', field: 'actor', value: 'white-helmets' },
        { kind: 'tag', field: 'outlet', value: 'rt-com' },
        { kind: 'tag', field: 'theme', value: 'theme-id' },
        { kind: 'tag', field: 'lang', value: 'en' },
      ),
    );
    expect(calls).toEqual(['actor=White Helmets', 'outlet=RT', 'theme=x']);
  });

  it('reports unknown resolver names at the value position with a specific code', () => {
    const resolve: TagResolver = () => null;
    expect(failure('syria actor:"Nobody Here"', resolve)).toEqual(['unknown_actor', 12]);
    expect(failure('theme:nope', resolve)).toEqual(['unknown_theme', 6]);
    expect(failure('a OR outlet:zz', resolve)).toEqual(['unknown_outlet', 12]);
    try {
      parseQuery('actor:"Nobody Here"', resolve);
    } catch (err) {
      expect((err as Error).message).toBe('unknown actor "Nobody Here"');
    }
  });
});

describe('parseQuery: errors carry the exact position', () => {
  it('unbalanced parentheses point at the unmatched paren', () => {
    expect(failure('(syria')).toEqual(['query_syntax', 0]);
    expect(failure('a (b (c)')).toEqual(['query_syntax', 2]);
    expect(failure('syria)')).toEqual(['query_syntax', 5]);
    expect(failure('(a)) b')).toEqual(['query_syntax', 3]);
    expect(failure(') a')).toEqual(['query_syntax', 0]);
  });

  it('unterminated quotes point at the opening quote', () => {
    expect(failure('syria "white helmets')).toEqual(['query_syntax', 6]);
    expect(failure('actor:"White')).toEqual(['query_syntax', 6]);
  });

  it('dangling operators point at the operator', () => {
    expect(failure('syria AND')).toEqual(['query_syntax', 6]);
    expect(failure('OR x')).toEqual(['query_syntax', 0]);
    expect(failure('AND x')).toEqual(['query_syntax', 0]);
    expect(failure('a OR')).toEqual(['query_syntax', 2]);
    expect(failure('a AND OR b')).toEqual(['query_syntax', 2]);
    expect(failure('a NOT')).toEqual(['query_syntax', 2]);
    expect(failure('(a OR) b')).toEqual(['query_syntax', 3]);
    expect(failure('a NOT )')).toEqual(['query_syntax', 2]);
  });

  it('empty field values point at the field', () => {
    expect(failure('actor:')).toEqual(['query_syntax', 0]);
    expect(failure('syria lang: ru')).toEqual(['query_syntax', 6]);
    expect(failure('actor:""')).toEqual(['query_syntax', 0]);
    expect(failure('title:')).toEqual(['query_syntax', 0]);
  });

  it('empty groups point at the opening paren', () => {
    expect(failure('a ()')).toEqual(['query_syntax', 2]);
    expect(failure('title:()')).toEqual(['query_syntax', 6]);
  });

  it('unknown fields point at the field name', () => {
    expect(failure('syria foo:bar')).toEqual(['query_syntax', 6]);
    const [, pos] = failure('source:rt');
    expect(pos).toBe(0);
  });

  it('tag fields do not take groups', () => {
    expect(failure('actor:(a OR b)')).toEqual(['query_syntax', 6]);
  });
});

describe('parseQuery: limits', () => {
  it('rejects queries longer than 4000 characters', () => {
    expect(parseQuery('a'.repeat(4000))).toEqual(t('a'.repeat(4000)));
    expect(failure('a'.repeat(4001))).toEqual(['query_too_complex', 4000]);
  });

  it('rejects more than 100 clauses, at the 101st', () => {
    const words = Array.from({ length: 101 }, (_, i) => `w${i}`);
    expect(parseQuery(words.slice(0, 100).join(' ')).kind).toBe('and');
    const q = words.join(' ');
    expect(failure(q)).toEqual(['query_too_complex', q.lastIndexOf('w100')]);
  });

  it('rejects nesting deeper than 20, at the 21st level', () => {
    expect(parseQuery(`${'('.repeat(20)}a${')'.repeat(20)}`)).toEqual(t('a'));
    expect(failure(`${'('.repeat(21)}a${')'.repeat(21)}`)).toEqual(['query_too_complex', 20]);
    expect(failure(`${'NOT '.repeat(21)}a`)).toEqual(['query_too_complex', 80]);
  });
});

describe('describeQuery', () => {
  it('renders canonical text that parses back to the same AST', () => {
    const queries = [
      'syria idlib OR "white helmets" -russia',
      'title:(a OR "b c") lang:ru actor:"white helmets"',
      '-foo -bar',
      'a OR -b',
      'NOT (-a -b)',
      'al-Nusra theme:staged-attack',
      '',
    ];
    for (const q of queries) {
      const ast = parseQuery(q);
      expect(parseQuery(describeQuery(ast)), `${q} -> ${describeQuery(ast)}`).toEqual(ast);
    }
    expect(describeQuery(parseQuery('a b OR c -d'))).toBe('a AND b OR c AND NOT d');
  });
});
