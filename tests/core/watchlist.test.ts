import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.ts';
import { parseWatchlist } from '../../core/watchlist.ts';

describe('parseWatchlist', () => {
  it('reads the shipped default watchlist: outlets with feeds, multilingual actors, themes, alerts', () => {
    const w = parseWatchlist(fs.readFileSync(new URL('../../watchlist.yaml', import.meta.url), 'utf8'));
    expect(w.outlets.length).toBeGreaterThanOrEqual(15);
    const rt = w.outlets.find((o) => o.outlet.id === 'rt');
    expect(rt?.outlet.tags).toContain('state-affiliated');
    expect(rt?.feeds[0]).toMatch(/^https:\/\//);
    const languages = new Set(w.outlets.map((o) => o.outlet.language));
    expect([...languages]).toEqual(expect.arrayContaining(['en', 'ru', 'ar', 'fr', 'es']));
    const wh = w.actors.find((a) => a.id === 'white-helmets');
    expect(wh?.aliases).toEqual(expect.arrayContaining(['Белые каски', 'الخوذ البيضاء']));
    expect(w.themes.map((t) => t.id)).toContain('staged-chemical-attack');
    expect(w.alerts[0]?.query).toBe('theme:"Staged chemical attack"');
  });

  it('derives ids from names and normalizes country and language', () => {
    const w = parseWatchlist(
      'outlets:\n  - name: Press TV\n    country: ir\n    language: EN\n    feeds: [https://example.com/rss]\n',
    );
    expect(w.outlets[0]?.outlet).toEqual({ id: 'press-tv', name: 'Press TV', country: 'IR', language: 'en', tags: [] });
  });

  it('names the path of every invalid value', () => {
    const bad = 'outlets:\n  - name: X\n    feeds: [not-a-url]\nactors:\n  - type: person\n';
    let error: unknown;
    try {
      parseWatchlist(bad, 'my.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/my\.yaml: .*outlets\.0\.feeds\.0/);
    expect((error as Error).message).toMatch(/actors\.0\.name/);
  });

  it('reports YAML syntax errors with the line', () => {
    expect(() => parseWatchlist('outlets:\n  - name: "unterminated\n', 'w.yaml')).toThrow(/w\.yaml \(line \d+\)/);
  });

  it('rejects duplicate ids and unknown sections', () => {
    expect(() => parseWatchlist('actors:\n  - name: NATO\n  - name: nato\n')).toThrow(/duplicate id "nato"/);
    expect(() => parseWatchlist('actress:\n  - name: X\n')).toThrow(/actress/);
  });
});
