/** Builds valid RawArticle objects for tests. */
import { articleId, normalizeUrl } from '../../core/ids.ts';
import type { RawArticle } from '../../core/types.ts';

export function makeRawArticle(n: number, overrides: Partial<RawArticle> = {}): RawArticle {
  const url = overrides.url ?? `https://news.example/articles/${n}`;
  const canonicalUrl = normalizeUrl(url);
  return {
    id: articleId(canonicalUrl),
    url,
    canonicalUrl,
    feedId: 'feed0000000000aa',
    outletId: 'example-news',
    guid: null,
    title: `Article number ${n}`,
    text: `Body of article ${n}.`,
    publishedAt: '2018-02-13T10:00:00.000Z',
    firstSeenAt: '2018-02-13T11:00:00.000Z',
    author: null,
    ...overrides,
  };
}
