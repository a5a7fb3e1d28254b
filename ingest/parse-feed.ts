/**
 * Feed bytes → ParsedFeed. Pure: charset detection and decoding (charset.ts), then rss-parser for RSS
 * 0.9x/1.0/2.0 and Atom 0.3/1.0 with recovery of ill-formed XML (feed-model.ts), or our own reader for
 * JSON Feed 1.x. Unusable documents are PermanentErrors with stable codes; recoverable damage is data.
 */
import { PermanentError } from '../core/errors.ts';
import { canonicalCharset, decodeBytes, detectEncoding } from './charset.ts';
import { parseXmlFeed, XmlFeedError } from './feed-model.ts';
import { parseFeedDate } from './parse-date.ts';

export type FeedFormat = 'rss' | 'atom' | 'json';

/** One entry of a feed, with the raw values the normalizer needs. HTML-bearing fields hold HTML. */
export interface ParsedItem {
  /** Resolved against xml:base and the document URL when the feed gives a relative link; else as written. */
  link: string | null;
  guid: string | null;
  /** Title as HTML (Atom type="text" titles are escaped, so HTML-to-text returns them verbatim). */
  title: string | null;
  /** Full HTML content: content:encoded, Atom content, JSON Feed content_html. */
  contentHtml: string | null;
  /** Short HTML: RSS description, Atom summary, JSON Feed summary. */
  summaryHtml: string | null;
  /** Content that is plain text already (JSON Feed content_text). */
  contentText: string | null;
  /** The date string as the feed wrote it (pubDate, dc:date, published, issued, date_published...). */
  publishedRaw: string | null;
  /** The first date that parsed, publication dates before update dates; null when none did. */
  published: Date | null;
  /** The update date string (updated, modified, dcterms:modified, dc:date, date_modified). */
  updatedRaw?: string | null;
  updated?: Date | null;
  /** 'unparseable' when the item carries date strings but none could be read (published is then null). */
  dateFlag?: 'unparseable' | null;
  author: string | null;
  /** RSS category, dc:subject, Atom category terms, media:category, JSON Feed tags; deduplicated. */
  categories?: string[];
  /** Language of the item: dc:language, else xml:lang in effect on its content, else the feed's. */
  language?: string | null;
}

export interface ParsedFeed {
  format: FeedFormat;
  title: string | null;
  /** The site link the feed declares, resolved against xml:base and the document URL when relative. */
  link: string | null;
  items: ParsedItem[];
  /** The charset the bytes were read as, e.g. "utf-8", "windows-1251", "gb18030", "us-ascii". */
  encoding: string;
  /** Feed language: <language>, dc:language, xml:lang on the root, JSON Feed language, or HTTP Content-Language. */
  language?: string | null;
  /**
   * What was wrong with the document and recovered from (lying charset, unescaped &, truncated tail...).
   * Empty for a clean document: feed health data, never fatal.
   */
  problems?: string[];
  /** RSS 2.0 `<ttl>`: minutes the feed may be cached before it is fetched again; absent when not given. */
  ttl?: number;
}

/** Optional HTTP context for `parseFeed`. */
export interface ParseFeedOptions {
  /** HTTP Content-Location: the base URL for relative links when it is an absolute http(s) URL. */
  contentLocation?: string | null;
  /** HTTP Content-Language: the feed language when the document declares none. */
  contentLanguage?: string | null;
}

export type FeedParseErrorCode = 'empty' | 'not_a_feed' | 'parse_error';

/** The document is not a usable feed. Never retried until the content changes. */
export class FeedParseError extends PermanentError {
  declare readonly code: FeedParseErrorCode;
  constructor(code: FeedParseErrorCode, message: string, cause?: unknown) {
    super(code, message, { cause });
  }
}

// ---------------------------------------------------------------------------------------------- JSON Feed

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function firstStr(...values: unknown[]): string | null {
  for (const v of values) {
    const s = str(v);
    if (s !== null) return s;
  }
  return null;
}

function jsonAuthor(item: Record<string, unknown>): string | null {
  const single = item.author as { name?: unknown } | undefined;
  const list = Array.isArray(item.authors) ? (item.authors as Array<{ name?: unknown }>) : [];
  const names = [single, ...list].map((a) => (a && typeof a.name === 'string' ? a.name.trim() : '')).filter(Boolean);
  return names.length ? [...new Set(names)].join(', ') : null;
}

function absolute(ref: string | null, base: string | null): string | null {
  if (!ref) return null;
  try {
    return new URL(ref.trim(), base ?? undefined).toString();
  } catch {
    return ref.trim();
  }
}

function parseJsonFeed(text: string, encoding: string, baseUrl: string | null, contentLanguage: string | null): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new FeedParseError('parse_error', `parse-feed: invalid JSON: ${(err as Error).message}`, err);
  }
  const root = doc as Record<string, unknown> | null;
  if (!root || typeof root !== 'object' || typeof root.version !== 'string' || !root.version.startsWith('https://jsonfeed.org/version/')) {
    throw new FeedParseError('not_a_feed', 'parse-feed: JSON document is not a JSON Feed');
  }
  const language = firstStr(root.language) ?? contentLanguage;
  const homePage = absolute(firstStr(root.home_page_url), baseUrl);
  const rawItems = Array.isArray(root.items) ? root.items : [];
  const items: ParsedItem[] = rawItems
    .filter((i): i is Record<string, unknown> => !!i && typeof i === 'object')
    .map((i) => {
      const publishedRaw = firstStr(i.date_published);
      const updatedRaw = firstStr(i.date_modified);
      const published = parseFeedDate(publishedRaw) ?? parseFeedDate(updatedRaw);
      return {
        link: absolute(firstStr(i.url, i.external_url), baseUrl),
        guid: i.id === undefined || i.id === null ? null : String(i.id),
        title: firstStr(i.title),
        contentHtml: firstStr(i.content_html),
        summaryHtml: firstStr(i.summary),
        contentText: firstStr(i.content_text),
        publishedRaw: publishedRaw ?? updatedRaw,
        published,
        updatedRaw,
        updated: parseFeedDate(updatedRaw),
        dateFlag: (publishedRaw ?? updatedRaw) !== null && published === null ? 'unparseable' : null,
        author: jsonAuthor(i) ?? jsonAuthor(root),
        categories: Array.isArray(i.tags) ? [...new Set(i.tags.filter((t): t is string => typeof t === 'string' && t.trim() !== ''))] : [],
        language: firstStr(i.language) ?? language,
      };
    });
  return { format: 'json', title: firstStr(root.title), link: homePage, items, encoding, language, problems: [] };
}

// ---------------------------------------------------------------------------------------------- entry point

function httpBase(feedUrl: string, contentLocation: string | null | undefined): string | null {
  let base: string | null = null;
  try {
    const u = new URL(feedUrl);
    if (u.protocol === 'http:' || u.protocol === 'https:') base = u.toString();
  } catch {
    base = null;
  }
  if (contentLocation) {
    try {
      // Only an http(s) Content-Location may become the base: "javascript:" and friends are ignored.
      const u = new URL(contentLocation.trim(), base ?? undefined);
      if (u.protocol === 'http:' || u.protocol === 'https:') base = u.toString();
    } catch {
      // Unusable header: keep the document URL.
    }
  }
  return base;
}

const NOT_XML_TYPES = /^\s*text\/(plain|html)\b/i;

/**
 * Parses a feed document. `contentType` is the HTTP Content-Type (for its charset), `feedUrl` the URL the
 * bytes came from (the outermost base for relative links, and named in error messages).
 * Ill-formed but recoverable XML is read, and every repair is listed in `ParsedFeed.problems`.
 * @throws FeedParseError with code `empty`, `not_a_feed` or `parse_error`.
 */
export async function parseFeed(body: Buffer, contentType: string | null, feedUrl: string, options: ParseFeedOptions = {}): Promise<ParsedFeed> {
  if (body.length === 0) throw new FeedParseError('empty', `parse-feed: empty body from ${feedUrl}`);
  if (body[0] === 0x1f && body[1] === 0x8b) {
    throw new FeedParseError('parse_error', `parse-feed: body is gzip-compressed, decompress before parsing (${feedUrl})`);
  }
  const detected = detectEncoding(body, contentType);
  const problems = [...detected.problems];
  let text = decodeBytes(body.subarray(detected.bomLength), detected.encoding).replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new FeedParseError('empty', `parse-feed: empty body from ${feedUrl}`);
  text = text.trimStart();
  const baseUrl = httpBase(feedUrl, options.contentLocation);
  const contentLanguage = options.contentLanguage?.split(',')[0]?.trim() || null;
  if (text.startsWith('{')) return parseJsonFeed(text, detected.encoding, baseUrl, contentLanguage);
  if (contentType && NOT_XML_TYPES.test(contentType)) problems.push(`served as ${contentType.split(';')[0]!.trim()}, not an XML type`);
  // The string is decoded already; a leftover encoding="..." would only mislead the XML parser.
  const declared = /^<\?xml\b[^>]*?\sencoding\s*=\s*(["'])([^"']*)\1/.exec(text)?.[2];
  if (declared && !canonicalCharset(declared) && !problems.some((p) => p.includes(declared))) problems.push(`unknown encoding "${declared}" in XML declaration`);
  text = text.replace(/^(<\?xml\b[^>]*?)\s+encoding\s*=\s*(["'])[^"']*\2/, '$1');
  try {
    return await parseXmlFeed(text, detected.encoding, { baseUrl, contentLanguage }, problems);
  } catch (err) {
    if (err instanceof XmlFeedError) {
      throw new FeedParseError(err.kind, `parse-feed: ${err.message} (${feedUrl})`, err.cause ?? err);
    }
    throw new FeedParseError('parse_error', `parse-feed: ${(err as Error).message ?? String(err)} (${feedUrl})`, err);
  }
}
