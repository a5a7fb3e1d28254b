/**
 * The AST -> SQL/FTS5 compiler: user text only in bound parameters and FTS5 strings, and every fragment
 * is valid SQL that SQLite accepts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryNode } from '../../core/query/ast.ts';
import { openDatabase } from '../../store/sqlite/open-database.ts';
import {
  compileQuery,
  countPrefixExpansions,
  entityKeyTags,
  positiveTextLeaves,
  quoteFtsString,
  textLeafToMatch,
} from '../../store/sqlite/query-to-sql.ts';

const term = (value: string, field: 'text' | 'title' = 'text'): QueryNode => ({ kind: 'term', field, value });

describe('quoteFtsString', () => {
  it('wraps in double quotes and doubles inner quotes', () => {
    expect(quoteFtsString('syria')).toBe('"syria"');
    expect(quoteFtsString('say "hi"')).toBe('"say ""hi"""');
    expect(quoteFtsString('')).toBe('""');
  });

  it('replaces NUL, which would end the C string FTS5 parses', () => {
    expect(quoteFtsString('a\u0000b')).toBe('"a b"');
  });
});

describe('textLeafToMatch', () => {
  it('compiles terms, title terms and phrases', () => {
    expect(textLeafToMatch({ kind: 'term', field: 'text', value: 'idlib' })).toBe('"idlib"');
    expect(textLeafToMatch({ kind: 'term', field: 'title', value: 'idlib' })).toBe('{title} : "idlib"');
    expect(textLeafToMatch({ kind: 'phrase', field: 'text', words: ['white', 'helmets'] })).toBe('"white" + "helmets"');
    expect(textLeafToMatch({ kind: 'phrase', field: 'title', words: ['a"', 'b'] })).toBe('{title} : "a""" + "b"');
    expect(textLeafToMatch({ kind: 'phrase', field: 'text', words: [] })).toBe('""');
  });
});

describe('compileQuery', () => {
  it('compiles all and empty groups to constants', () => {
    expect(compileQuery({ kind: 'all' })).toEqual({ sql: '1', params: [] });
    expect(compileQuery({ kind: 'and', children: [] })).toEqual({ sql: '1', params: [] });
    expect(compileQuery({ kind: 'or', children: [] })).toEqual({ sql: '0', params: [] });
  });

  it('keeps user text out of the SQL: one placeholder per value, in order', () => {
    const evil = "x'); DROP TABLE articles; --";
    const q: QueryNode = {
      kind: 'and',
      children: [
        term(evil),
        { kind: 'not', child: { kind: 'tag', field: 'actor', value: evil } },
        { kind: 'or', children: [term('b', 'title'), { kind: 'phrase', field: 'text', words: ['c', 'd'] }] },
      ],
    };
    const { sql, params } = compileQuery(q);
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain("'");
    expect(sql.split('?').length - 1).toBe(params.length);
    expect(params).toEqual([quoteFtsString(evil), 'actor', evil, '{title} : "b"', '"c" + "d"']);
    expect(sql).toMatch(/^\(.* AND \(NOT .*\) AND \(.* OR .*\)\)$/);
  });
});

describe('positive text leaves', () => {
  it('skips leaves under an odd number of NOTs', () => {
    const q: QueryNode = {
      kind: 'and',
      children: [
        term('a'),
        { kind: 'not', child: term('b') },
        { kind: 'not', child: { kind: 'not', child: term('c') } },
        { kind: 'tag', field: 'lang', value: 'en' },
      ],
    };
    expect(positiveTextLeaves(q).map((l) => (l.kind === 'term' ? l.value : ''))).toEqual(['a', 'c']);
    expect(positiveTextLeaves({ kind: 'tag', field: 'lang', value: 'en' })).toEqual([]);
    expect(positiveTextLeaves({ kind: 'not', child: term('x') })).toEqual([]);
  });
});

describe('compiled fragments run on SQLite', () => {
  let dir: string;
  let db: Database;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nm-q2sql-'));
    db = openDatabase(path.join(dir, 'q.db'));
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const nasty = ['"', '*', 'NEAR(', 'a:b', "'; DROP TABLE x; --", '^', 'AND', 'OR NOT', '{title}', '\u0000', ')'];
  it.each(nasty)('accepts %j in every leaf position', (value) => {
    const q: QueryNode = {
      kind: 'or',
      children: [
        term(value),
        term(value, 'title'),
        { kind: 'phrase', field: 'text', words: [value, value] },
        { kind: 'not', child: { kind: 'tag', field: 'theme', value } },
        { kind: 'proximity', field: 'text', words: [value, `${value}x`], distance: 3 },
        { kind: 'proximity', field: 'title', words: [value, 'b', 'c'], distance: 0 },
        { kind: 'prefix', field: 'text', value },
        { kind: 'prefix', field: 'title', value },
        { kind: 'tag', field: 'entity', value },
        { kind: 'tag', field: 'keyword', value },
      ],
    };
    const { sql, params } = compileQuery(q);
    expect(() => db.prepare(`SELECT count(*) FROM articles WHERE ${sql}`).all(...params)).not.toThrow();
  });

  it('counts prefix expansions from the index vocabulary, stopping past the limit', () => {
    const ins = db.prepare('INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)');
    ins.run(1, 'idlib idle', 'idleness idl idlewild idm');
    ins.run(2, 'id', 'idlib zebra идлиб идлибе идм');
    expect(countPrefixExpansions(db, 'idl', 1000)).toBe(5); // idl idle idleness idlewild idlib
    expect(countPrefixExpansions(db, 'idl', 2)).toBe(3); // stops at limit + 1
    expect(countPrefixExpansions(db, 'idle', 1000)).toBe(3);
    expect(countPrefixExpansions(db, 'zzz', 1000)).toBe(0);
    expect(countPrefixExpansions(db, 'идл', 1000)).toBe(2);
    db.exec('DELETE FROM articles_fts');
  });
});

describe('new constructs', () => {
  it('compiles proximity to NEAR with the other-token distance turned into FTS5 terms', () => {
    expect(textLeafToMatch({ kind: 'proximity', field: 'text', words: ['white', 'helmets'], distance: 3 })).toBe('NEAR("white" "helmets", 3)');
    expect(textLeafToMatch({ kind: 'proximity', field: 'title', words: ['a', 'b', 'c'], distance: 0 })).toBe('{title} : NEAR("a" "b" "c", 1)');
    expect(textLeafToMatch({ kind: 'prefix', field: 'text', value: 'idl' })).toBe('"idl" *');
    expect(textLeafToMatch({ kind: 'prefix', field: 'title', value: 'a"b' })).toBe('{title} : "a""b" *');
  });

  it('compiles dates to date_ms bounds, entity to entity_key rows, an OR of outlets to one IN', () => {
    expect(compileQuery({ kind: 'date', gte: '2018-02-01T00:00:00.000Z', lt: '2018-03-02T00:00:00.000Z' })).toEqual({
      sql: '(articles.date_ms >= ? AND articles.date_ms < ?)',
      params: [Date.UTC(2018, 1, 1), Date.UTC(2018, 2, 2)],
    });
    expect(compileQuery({ kind: 'date' })).toEqual({ sql: '1', params: [] });
    expect(compileQuery({ kind: 'tag', field: 'entity', value: 'white helmets' }).params).toEqual(['entity_key', 'white helmets']);
    expect(compileQuery({ kind: 'tag', field: 'keyword', value: 'idlib' }).params).toEqual(['keyword', 'idlib']);
    const q: QueryNode = {
      kind: 'or',
      children: [
        { kind: 'tag', field: 'outlet', value: 'rt' },
        term('x'),
        { kind: 'tag', field: 'outlet', value: 'tass' },
      ],
    };
    const { sql, params } = compileQuery(q);
    expect(sql).toBe('(articles.outlet_id IN (?, ?) OR articles.seq IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?))');
    expect(params).toEqual(['rt', 'tass', '"x"']);
    expect(compileQuery({ kind: 'proximity', field: 'text', words: ['a'], distance: 1 }).sql).toBe('0');
  });

  it('folds entity texts for the entity_key rows', () => {
    expect(entityKeyTags([{ text: 'White Helmets' }, { text: 'white-helmets' }, { text: '—' }, { text: 'Émile' }])).toEqual([
      'white helmets',
      'emile',
    ]);
  });

  it('lists proximity and wildcard leaves as positive text leaves', () => {
    const near: QueryNode = { kind: 'proximity', field: 'text', words: ['a', 'b'], distance: 1 };
    const pre: QueryNode = { kind: 'prefix', field: 'title', value: 'idl' };
    expect(positiveTextLeaves({ kind: 'and', children: [near, { kind: 'not', child: pre }, { kind: 'date' }] })).toEqual([near]);
  });
});
