import { describe, expect, it } from 'vitest';
import { articleId, feedId, normalizeUrl, slugify } from '../../core/ids.ts';

describe('normalizeUrl', () => {
  it('drops tracking parameters and fragments, sorts the rest', () => {
    expect(normalizeUrl('HTTPS://Example.COM:443/news/story/?utm_source=rss&b=2&a=1&fbclid=xyz#comments')).toBe(
      'https://example.com/news/story?a=1&b=2',
    );
  });

  it('keeps parameters that identify the article', () => {
    expect(normalizeUrl('http://example.com/article.php?id=42&utm_medium=feed')).toBe(
      'http://example.com/article.php?id=42',
    );
  });

  it('removes the default port and a trailing dot on the host', () => {
    expect(normalizeUrl('http://example.com.:80/a')).toBe('http://example.com/a');
  });

  it('leaves non-http input alone', () => {
    expect(normalizeUrl('  urn:uuid:1234 ')).toBe('urn:uuid:1234');
  });
});

describe('ids', () => {
  it('gives the same article id to URLs that differ only in tracking noise', () => {
    const a = articleId(normalizeUrl('https://rt.com/news/420-white-helmets/?utm_source=x'));
    const b = articleId(normalizeUrl('https://RT.com/news/420-white-helmets#top'));
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(articleId('https://rt.com/news/421')).not.toBe(a);
  });

  it('feed ids are stable under URL normalization', () => {
    expect(feedId('https://example.com/rss/?utm_campaign=x')).toBe(feedId('https://example.com/rss'));
  });

  it('slugifies names, folding diacritics and falling back to a hash for other scripts', () => {
    expect(slugify('White Helmets')).toBe('white-helmets');
    expect(slugify('Agence France-Presse (AFP)')).toBe('agence-france-presse-afp');
    expect(slugify('Le Monde diplomatique — édition')).toBe('le-monde-diplomatique-edition');
    const cyr = slugify('Белые каски');
    expect(cyr).toMatch(/^x-[0-9a-f]{10}$/);
    expect(slugify('Белые каски')).toBe(cyr);
  });
});
