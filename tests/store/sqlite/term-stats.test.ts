import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../store/sqlite/open-database.ts';
import { createSqliteTermStats } from '../../../store/sqlite/term-stats.ts';
import { createMemoryTermStats, type TermStats } from '../../../store/term-stats.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function sqliteFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nm-term-stats-'));
  dirs.push(dir);
  return path.join(dir, 'db.sqlite');
}

function conformance(name: string, make: () => TermStats): void {
  describe(name, () => {
    it('counts each term once per document and each document once', () => {
      const stats = make();
      expect(stats.documentCount()).toBe(0);
      expect(stats.frequencies(['white helmets'])).toEqual(new Map());
      expect(stats.addDocuments([
        { id: 'a', terms: ['white helmets', 'chlorine', 'chlorine'] },
        { id: 'b', terms: ['chlorine', 'idlib'] },
      ])).toBe(2);
      // Replays (same ids) change nothing: idempotent by article id.
      expect(stats.addDocuments([{ id: 'a', terms: ['white helmets', 'chlorine'] }, { id: 'c', terms: ['idlib'] }])).toBe(1);
      expect(stats.documentCount()).toBe(3);
      expect(stats.frequencies(['chlorine', 'idlib', 'white helmets', 'never'])).toEqual(
        new Map([['chlorine', 2], ['idlib', 2], ['white helmets', 1]]),
      );
    });

    it('handles terms with quotes and non-Latin scripts', () => {
      const stats = make();
      stats.addDocuments([{ id: 'x', terms: ['белые каски', 'الخوذ', 'o"brien', "d'arc"] }]);
      expect(stats.frequencies(['белые каски', 'الخوذ', 'o"brien', "d'arc"]).size).toBe(4);
    });
  });
}

conformance('createMemoryTermStats', createMemoryTermStats);
conformance('createSqliteTermStats', () => createSqliteTermStats(openDatabase(sqliteFile())));

describe('createSqliteTermStats persistence', () => {
  it('keeps counts across connections (a second worker process sees them)', () => {
    const file = sqliteFile();
    const db1 = openDatabase(file);
    createSqliteTermStats(db1).addDocuments([{ id: 'a', terms: ['nato'] }]);
    const db2 = openDatabase(file);
    const second = createSqliteTermStats(db2);
    expect(second.addDocuments([{ id: 'a', terms: ['nato'] }])).toBe(0);
    expect(second.frequencies(['nato'])).toEqual(new Map([['nato', 1]]));
    expect(second.documentCount()).toBe(1);
    db1.close();
    db2.close();
  });
});
