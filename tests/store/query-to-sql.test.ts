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
      ],
    };
    const { sql, params } = compileQuery(q);
    expect(() => db.prepare(`SELECT count(*) FROM articles WHERE ${sql}`).all(...params)).not.toThrow();
  });
});
