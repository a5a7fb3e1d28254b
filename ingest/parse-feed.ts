/**
 * Feed bytes → ParsedFeed. Pure: charset detection and decoding, then rss-parser (RSS 0.9x/1.0/2.0, Atom)
 * on the decoded string, or our own reader for JSON Feed 1.x. Failures are PermanentErrors with stable codes.
 */
import Parser from 'rss-parser';
import { PermanentError } from '../core/errors.ts';
import { decodeEntities, fixC1Controls } from './html-to-text.ts';

export type FeedFormat = 'rss' | 'atom' | 'json';

/** One entry of a feed, with the raw values the normalizer needs. */
export interface ParsedItem {
  link: string | null;
  guid: string | null;
  title: string | null;
  /** Full HTML content: content:encoded, Atom content, JSON Feed content_html. */
  contentHtml: string | null;
  /** Short HTML: RSS description, Atom summary, JSON Feed summary. */
  summaryHtml: string | null;
  /** Content that is plain text already (JSON Feed content_text). */
  contentText: string | null;
  /** The date string as the feed wrote it (pubDate, dc:date, published/updated, date_published). */
  publishedRaw: string | null;
  /** `publishedRaw` parsed; null when missing or unparseable. */
  published: Date | null;
  author: string | null;
}

export interface ParsedFeed {
  format: FeedFormat;
  title: string | null;
  /** The site link the feed declares (may be relative). */
  link: string | null;
  items: ParsedItem[];
  /** The charset the bytes were decoded with, e.g. "utf-8", "windows-1251". */
  encoding: string;
}

export type FeedParseErrorCode = 'empty' | 'not_a_feed' | 'parse_error';

/** The document is not a usable feed. Never retried until the content changes. */
export class FeedParseError extends PermanentError {
  declare readonly code: FeedParseErrorCode;
  constructor(code: FeedParseErrorCode, message: string, cause?: unknown) {
    super(code, message, { cause });
  }
}

// ---------------------------------------------------------------------------------------------- charset

function canonicalEncoding(label: string | null | undefined): string | null {
  if (!label) return null;
  const l = label.trim().replace(/^["']|["']$/g, '').toLowerCase();
  if (l === 'utf-32' || l === 'utf-32le' || l === 'utf-32be') return l;
  try {
    return new TextDecoder(l).encoding;
  } catch {
    return null;
  }
}

function charsetFromContentType(contentType: string | null): string | null {
  const m = contentType ? /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType) : null;
  return m?.[2] ?? null;
}

function encodingFromXmlDeclaration(bytes: Buffer): string | null {
  // The declaration is ASCII in every ASCII-compatible charset, so latin1 is safe for sniffing it.
  const head = bytes.subarray(0, 1024).toString('latin1');
  const m = /^\s*<\?xml\b[^>]*?\bencoding\s*=\s*(["'])([A-Za-z0-9._:-]+)\1/.exec(head);
  return m?.[2] ?? null;
}

function decodeUtf32(bytes: Buffer, littleEndian: boolean): string {
  const parts: string[] = [];
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const cp = littleEndian ? bytes.readUInt32LE(i) : bytes.readUInt32BE(i);
    parts.push(cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '\uFFFD');
  }
  return parts.join('');
}

function decodeWith(bytes: Buffer, encoding: string): string {
  if (encoding === 'utf-32le' || encoding === 'utf-32') return decodeUtf32(bytes, true);
  if (encoding === 'utf-32be') return decodeUtf32(bytes, false);
  const text = new TextDecoder(encoding).decode(bytes);
  return encoding === 'windows-1252' ? fixC1Controls(text) : text;
}

function isValidUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Picks the charset: BOM, then UTF-16/32 byte patterns of "<?", then — unless the bytes are valid UTF-8,
 * which wins over a lying label — the HTTP charset, then the XML declaration, then windows-1252
 * (what a browser assumes for unlabeled legacy bytes).
 */
export function detectEncoding(bytes: Buffer, contentType: string | null): { encoding: string; bomLength: number } {
  const b = bytes;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return { encoding: 'utf-32le', bomLength: 4 };
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return { encoding: 'utf-32be', bomLength: 4 };
  if (b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  if (b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 0x3c) return { encoding: 'utf-32be', bomLength: 0 };
  if (b[0] === 0x3c && b[1] === 0 && b[2] === 0 && b[3] === 0) return { encoding: 'utf-32le', bomLength: 0 };
  if (b[0] === 0 && b[1] === 0x3c && b[2] === 0 && b[3] === 0x3f) return { encoding: 'utf-16be', bomLength: 0 };
  if (b[0] === 0x3c && b[1] === 0 && b[2] === 0x3f && b[3] === 0) return { encoding: 'utf-16le', bomLength: 0 };
  if (isValidUtf8(bytes)) return { encoding: 'utf-8', bomLength: 0 };
  const fromHeader = canonicalEncoding(charsetFromContentType(contentType));
  // A UTF-16 label on bytes that have no UTF-16 shape (checked above) is a lie; keep looking.
  if (fromHeader && !fromHeader.startsWith('utf-')) return { encoding: fromHeader, bomLength: 0 };
  const fromDeclaration = canonicalEncoding(encodingFromXmlDeclaration(bytes));
  if (fromDeclaration && !fromDeclaration.startsWith('utf-')) return { encoding: fromDeclaration, bomLength: 0 };
  return { encoding: 'windows-1252', bomLength: 0 };
}

// ---------------------------------------------------------------------------------------------- dates

// Shapes accepted before handing a string to Date: V8's fallback parser is lenient enough to turn partial
// or garbled dates ("-03-12", "Sun, Dec x 2012") into some wrong instant, and a wrong date is worse than none.
const ISO_DATE = /^\d{4}-\d{2}(?:-\d{2})?(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{1,5})?)?$/i;
const RFC822_DATE = /^(?:[A-Za-z]+\.?,?\s*)?\d{1,2}\s+[A-Za-z]+\.?\s+\d{2,4}\b/;
const US_DATE = /^(?:[A-Za-z]+\.?,?\s*)?[A-Za-z]+\.?\s+\d{1,2},?\s+\d{4}\b/;

/** Parses a feed date (RFC 822, RFC 3339/ISO 8601, "Mon DD YYYY"); null when missing or unusable. */
export function parseFeedDate(raw: string | null | undefined): Date | null {
  if (!raw) return null;
  const text = raw.trim().replace(/\s+/g, ' ');
  if (!text) return null;
  if (!ISO_DATE.test(text) && !RFC822_DATE.test(text) && !US_DATE.test(text)) return null;
  const d = new Date(text);
  const t = d.getTime();
  if (Number.isNaN(t)) return null;
  // Years outside this window come from misparsed strings (e.g. a bare number read as a year).
  const year = d.getUTCFullYear();
  if (year < 1970 || year > 9999) return null;
  return d;
}

// ---------------------------------------------------------------------------------------------- helpers

function str(value: unknown): string | null {
  if (typeof value === 'string') return value.length > 0 ? value : null;
  if (value && typeof value === 'object') {
    const inner = (value as { _?: unknown })._;
    if (typeof inner === 'string') return inner.length > 0 ? inner : null;
  }
  return null;
}

function firstStr(...values: unknown[]): string | null {
  for (const v of values) {
    const s = str(v);
    if (s !== null && s.trim() !== '') return s;
  }
  return null;
}

const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

/** Replaces HTML named entities that strict XML rejects (e.g. &nbsp; without a DTD) with numeric ones. */
function htmlEntitiesToNumeric(xml: string): string {
  return xml.replace(/&([A-Za-z][A-Za-z0-9]{1,31});/g, (whole, name: string) => {
    if (XML_ENTITIES.has(name)) return whole;
    const decoded = decodeEntities(whole);
    return decoded === whole ? whole : `&#${decoded.codePointAt(0)};`;
  });
}

/** Name of the first element, skipping the prolog (declaration, PIs, comments, doctype). */
function rootElementName(text: string): string | null {
  const prolog = /^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?\s*>)*/i.exec(text);
  const rest = text.slice(prolog?.[0].length ?? 0);
  const m = /^<([A-Za-z_][\w:.-]*)/.exec(rest);
  return m?.[1] ?? null;
}

// ---------------------------------------------------------------------------------------------- JSON Feed

interface JsonFeedAuthor {
  name?: unknown;
}

function jsonAuthor(item: Record<string, unknown>): string | null {
  const single = item.author as JsonFeedAuthor | undefined;
  const list = Array.isArray(item.authors) ? (item.authors as JsonFeedAuthor[]) : [];
  const names = [single, ...list].map((a) => (a && typeof a.name === 'string' ? a.name.trim() : '')).filter(Boolean);
  return names.length ? [...new Set(names)].join(', ') : null;
}

function parseJsonFeed(text: string, encoding: string): ParsedFeed {
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
  const rawItems = Array.isArray(root.items) ? root.items : [];
  const items: ParsedItem[] = rawItems
    .filter((i): i is Record<string, unknown> => !!i && typeof i === 'object')
    .map((i) => {
      const publishedRaw = firstStr(i.date_published, i.date_modified);
      return {
        link: firstStr(i.url, i.external_url),
        guid: i.id === undefined || i.id === null ? null : String(i.id),
        title: firstStr(i.title),
        contentHtml: firstStr(i.content_html),
        summaryHtml: firstStr(i.summary),
        contentText: firstStr(i.content_text),
        publishedRaw,
        published: parseFeedDate(publishedRaw),
        author: jsonAuthor(i) ?? jsonAuthor(root),
      };
    });
  return { format: 'json', title: firstStr(root.title), link: firstStr(root.home_page_url), items, encoding };
}

// ---------------------------------------------------------------------------------------------- XML feeds

type RssItem = Record<string, unknown>;

// A <rss> without a version attribute is read as RSS 2.0 instead of being rejected.
const parser = new Parser<Record<string, unknown>, RssItem>({ defaultRSS: 2 });

/**
 * rss-parser calls toISOString() on Atom published/updated and throws on the first bad date, losing the
 * whole feed; dropping the unparseable date elements keeps the entries (their date becomes null).
 */
function dropBadAtomDates(xml: string): string {
  return xml.replace(/<((?:[\w.-]+:)?(?:published|updated))\b[^>]*>([^<]*)<\/\1\s*>/g, (whole, _name: string, value: string) =>
    parseFeedDate(value) ? whole : '',
  );
}

async function parseXmlFeed(text: string, encoding: string): Promise<ParsedFeed> {
  const root = rootElementName(text);
  if (root === null) throw new FeedParseError('not_a_feed', 'parse-feed: no XML root element');
  const rootLower = root.toLowerCase();
  if (rootLower === 'html' || rootLower === 'head' || rootLower === 'body' || /^\s*<!doctype\s+html/i.test(text.slice(0, 2048))) {
    throw new FeedParseError('not_a_feed', 'parse-feed: document is an HTML page, not a feed');
  }
  const format: FeedFormat = rootLower === 'feed' || rootLower.endsWith(':feed') ? 'atom' : 'rss';
  // rss-parser crashes on an <rss> without <channel>; such a document simply has nothing in it.
  if (rootLower === 'rss' && !/<channel[\s>/]/i.test(text)) return { format, title: null, link: null, items: [], encoding };
  let out: Awaited<ReturnType<typeof parser.parseString>>;
  try {
    out = await parser.parseString(text);
  } catch (first) {
    let retry = htmlEntitiesToNumeric(text);
    if (format === 'atom' && first instanceof RangeError) retry = dropBadAtomDates(retry);
    if (retry === text) throw toParseError(first, root);
    try {
      out = await parser.parseString(retry);
    } catch (second) {
      throw toParseError(second, root);
    }
  }
  const items: ParsedItem[] = out.items.map((it) => {
    const publishedRaw = firstStr(it.pubDate, it.date);
    const contentEncoded = firstStr(it['content:encoded']);
    return {
      link: firstStr(it.link),
      guid: firstStr(it.guid, it.id),
      title: firstStr(it.title),
      // rss-parser puts RSS <description> in `content`, Atom <content> in `content` and <summary> in `summary`.
      contentHtml: format === 'atom' ? firstStr(it.content) : contentEncoded,
      summaryHtml: format === 'atom' ? firstStr(it.summary) : firstStr(it.content, it.summary),
      contentText: null,
      publishedRaw,
      published: parseFeedDate(firstStr(it.isoDate) ?? publishedRaw),
      author: firstStr(it.creator, it.author),
    };
  });
  return { format, title: firstStr(out.title), link: firstStr(out.link), items, encoding };
}

const FEED_ROOTS = /^(?:[\w.-]+:)?(?:rss|feed|rdf)$/i;

function toParseError(err: unknown, root: string): FeedParseError {
  const message = err instanceof Error ? err.message : String(err);
  if (/not recognized as RSS/i.test(message)) {
    // A feed-like root that rss-parser cannot read (e.g. a prefixed <atom:feed>) is a parse failure, not "not a feed".
    if (FEED_ROOTS.test(root)) return new FeedParseError('parse_error', `parse-feed: unsupported <${root}> document`, err);
    return new FeedParseError('not_a_feed', `parse-feed: <${root}> is not an RSS, Atom or RDF root`, err);
  }
  if (err instanceof TypeError) {
    return new FeedParseError('parse_error', `parse-feed: malformed <${root}> structure (${message})`, err);
  }
  return new FeedParseError('parse_error', `parse-feed: ${message.split('\n')[0]}`, err);
}

/**
 * Parses a feed document. `contentType` is the HTTP Content-Type (for its charset), `feedUrl` is used in
 * error messages only; relative links are resolved later by the normalizer.
 * @throws FeedParseError with code `empty`, `not_a_feed` or `parse_error`.
 */
export async function parseFeed(body: Buffer, contentType: string | null, feedUrl: string): Promise<ParsedFeed> {
  if (body.length === 0) throw new FeedParseError('empty', `parse-feed: empty body from ${feedUrl}`);
  const { encoding, bomLength } = detectEncoding(body, contentType);
  let text = decodeWith(body.subarray(bomLength), encoding).replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new FeedParseError('empty', `parse-feed: empty body from ${feedUrl}`);
  text = text.trimStart();
  if (text.startsWith('{')) return parseJsonFeed(text, encoding);
  if (body[0] === 0x1f && body[1] === 0x8b) {
    throw new FeedParseError('parse_error', `parse-feed: body is gzip-compressed, decompress before parsing (${feedUrl})`);
  }
  // The string is decoded already; a leftover encoding="..." would only mislead the XML parser.
  text = text.replace(/^(<\?xml\b[^>]*?)\s+encoding\s*=\s*(["'])[^"']*\2/, '$1');
  try {
    return await parseXmlFeed(text, encoding);
  } catch (err) {
    if (err instanceof FeedParseError) {
      throw new FeedParseError(err.code, `${err.message} (${feedUrl})`, err.cause);
    }
    throw err;
  }
}
