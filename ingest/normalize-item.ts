/**
 * ParsedFeed items → RawArticles. Pure: resolves links, derives the deterministic article id, cleans
 * titles and text, keeps only honest dates, and drops items without a usable link or seen twice.
 */
import { articleId, normalizeUrl } from '../core/ids.ts';
import type { RawArticle } from '../core/types.ts';
import { cleanTitle, collapseWhitespace, htmlToText } from './html-to-text.ts';
import type { ParsedFeed, ParsedItem } from './parse-feed.ts';

export interface NormalizeContext {
  feedId: string;
  outletId: string;
  /** The URL the feed was fetched from (after redirects); base for relative links. */
  feedUrl: string;
  now: Date;
}

export interface NormalizeResult {
  articles: RawArticle[];
  /** Items with no resolvable http(s) link. */
  skippedNoLink: number;
  /** Items whose article id was already produced by an earlier item of the same feed. */
  duplicates: number;
  /**
   * Articles stored with publishedAt null although the feed gave a date: the date did not parse
   * ('unparseable'), lay more than a day ahead of `now` ('future'), or before 1970 ('too_old').
   * Charts then fall back to firstSeenAt and can say so.
   */
  dateFlags: Array<{ url: string; flag: DateFlag; raw: string | null }>;
}

/** Why a feed-supplied date was not kept. */
export type DateFlag = 'unparseable' | 'future' | 'too_old';

// A publish date further ahead than this is a feed bug (or a scheduled post) and is not trusted.
const FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000;
const MAX_AUTHOR_LENGTH = 200;

function resolveHttpUrl(raw: string | null, base: string): string | null {
  if (!raw) return null;
  const trimmed = raw.trim();
  if (!trimmed) return null;
  try {
    const url = new URL(trimmed, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

/**
 * Base for item links the parser could not make absolute (no xml:base and no http(s) document URL):
 * the feed's declared site link, itself resolved against the feed URL.
 */
function baseUrl(feed: ParsedFeed, feedUrl: string): string {
  return resolveHttpUrl(feed.link, feedUrl) ?? feedUrl;
}

function itemLink(item: ParsedItem, base: string): string | null {
  const link = resolveHttpUrl(item.link, base);
  if (link) return link;
  // RSS guids are permalinks by default; one that is an absolute URL is the best link left.
  if (item.guid && /^https?:\/\//i.test(item.guid.trim())) return resolveHttpUrl(item.guid, base);
  return null;
}

function itemText(item: ParsedItem): string {
  for (const html of [item.contentHtml, item.summaryHtml]) {
    if (html) {
      const text = htmlToText(html);
      if (text) return text;
    }
  }
  return item.contentText ? htmlToText(item.contentText) : '';
}

// Feeds with a year-0100 or 1904 date are broken; no news article we ingest predates the web feeds.
const OLDEST_PLAUSIBLE_MS = 0;

function publishedAt(item: ParsedItem, now: Date): { value: string | null; flag: DateFlag | null } {
  const d = item.published;
  if (!d || Number.isNaN(d.getTime())) {
    const hadDate = item.dateFlag === 'unparseable' || (item.publishedRaw !== null && item.publishedRaw.trim() !== '');
    return { value: null, flag: hadDate ? 'unparseable' : null };
  }
  if (d.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) return { value: null, flag: 'future' };
  if (d.getTime() < OLDEST_PLAUSIBLE_MS) return { value: null, flag: 'too_old' };
  return { value: d.toISOString(), flag: null };
}

function author(item: ParsedItem): string | null {
  if (!item.author) return null;
  const a = cleanTitle(item.author).slice(0, MAX_AUTHOR_LENGTH);
  return a || null;
}

/** Like `normalizeItems`, also reporting what was skipped. */
export function normalizeFeedItems(feed: ParsedFeed, ctx: NormalizeContext): NormalizeResult {
  const base = baseUrl(feed, ctx.feedUrl);
  const seen = new Set<string>();
  const articles: RawArticle[] = [];
  let skippedNoLink = 0;
  let duplicates = 0;
  const dateFlags: NormalizeResult['dateFlags'] = [];
  const firstSeenAt = ctx.now.toISOString();
  for (const item of feed.items) {
    const url = itemLink(item, base);
    if (!url) {
      skippedNoLink++;
      continue;
    }
    const canonicalUrl = normalizeUrl(url);
    const id = articleId(canonicalUrl);
    if (seen.has(id)) {
      duplicates++;
      continue;
    }
    seen.add(id);
    const date = publishedAt(item, ctx.now);
    if (date.flag) dateFlags.push({ url, flag: date.flag, raw: item.publishedRaw });
    const guid = item.guid ? collapseWhitespace(item.guid) : '';
    articles.push({
      id,
      url,
      canonicalUrl,
      feedId: ctx.feedId,
      outletId: ctx.outletId,
      guid: guid || null,
      title: item.title ? cleanTitle(item.title) : '',
      text: itemText(item),
      publishedAt: date.value,
      firstSeenAt,
      author: author(item),
    });
  }
  return { articles, skippedNoLink, duplicates, dateFlags };
}

/**
 * Turns a parsed feed's items into RawArticles: id = articleId(normalizeUrl(link)), relative links resolved
 * against the feed's link (or URL), text = HTML stripped from the richest content field, publishedAt null
 * when missing, unparseable or more than a day in the future. Items without an http(s) link and repeated
 * ids are dropped.
 */
export function normalizeItems(feed: ParsedFeed, ctx: NormalizeContext): RawArticle[] {
  return normalizeFeedItems(feed, ctx).articles;
}
