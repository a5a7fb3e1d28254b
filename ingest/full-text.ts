/**
 * Full text for summary-only outlets: fetches each new article's page through the guarded fetcher and the
 * per-host limiter, extracts the main text with @mozilla/readability on linkedom, and keeps the feed summary
 * beside it. A page that cannot be fetched or read leaves the article with its summary as text, counted.
 */
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import type { RawArticle } from '../core/types.ts';
import { canonicalCharset, decodeBytes, detectEncoding } from './charset.ts';
import { fetchFeed, type FetchOptions } from './fetch-feed.ts';
import { hostKey, type HostLimiter } from './host-limiter.ts';
import { htmlToText } from './html-to-text.ts';
import { mapLimited } from './map-limited.ts';

/** Article pages larger than this (after decompression) are not read: real articles are far smaller. */
export const MAX_PAGE_BYTES = 5 * 1024 * 1024;
// Readability walks every element; a page with more is not an article (or is hostile) and is skipped.
const MAX_ELEMENTS = 30_000;
// Extracted text shorter than this and shorter than the summary is a paywall or cookie wall, not the article.
const MIN_USEFUL_CHARS = 200;

export interface FullTextOptions {
  /** Fetch settings with the poll run's shared guarded dispatcher. */
  fetchOptions: FetchOptions;
  limiter: HostLimiter;
  /** Pages of one feed fetched at the same time (the host limiter still applies). @defaultValue 2 */
  concurrency?: number;
}

export interface FullTextResult {
  /** The input articles in order; fetched ones carry the page text and their feed text as `summary`. */
  articles: RawArticle[];
  /** Pages whose main text replaced the summary. */
  fetched: number;
  /** Pages that could not be fetched or yielded no usable text, by error code. */
  failures: Record<string, number>;
}

/** Charset of an HTML page: BOM/UTF-8 sniffing and the HTTP header first, then a <meta> charset. */
function decodeHtml(body: Buffer, contentType: string | null): string {
  let type = contentType;
  if (!/charset=/i.test(type ?? '')) {
    const head = body.subarray(0, 2048).toString('latin1');
    const meta = /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)/i.exec(head)?.[1];
    if (meta && canonicalCharset(meta)) type = `text/html; charset=${meta}`;
  }
  const detected = detectEncoding(body, type);
  return decodeBytes(body.subarray(detected.bomLength), detected.encoding);
}

/**
 * The main text of an HTML page (readability's article body as plain text with paragraphs), or null when
 * readability finds no article or the page is too large to read.
 */
export function extractMainText(html: string, url: string): string | null {
  const { document } = parseHTML(html);
  // linkedom has no URL of its own; readability resolves links against it.
  try {
    Object.defineProperty(document, 'baseURI', { value: url, configurable: true });
    Object.defineProperty(document, 'documentURI', { value: url, configurable: true });
  } catch {
    // Read-only in some versions: link resolution is not needed for the text.
  }
  let article: ReturnType<Readability['parse']>;
  try {
    article = new Readability(document as unknown as Document, { maxElemsToParse: MAX_ELEMENTS }).parse();
  } catch {
    return null;
  }
  if (!article?.content) return null;
  const text = htmlToText(article.content);
  return text === '' ? null : text;
}

type PageOutcome = { ok: true; text: string } | { ok: false; code: string };

async function fetchPageText(url: string, summary: string, options: FullTextOptions): Promise<PageOutcome> {
  const fetchOptions = { ...options.fetchOptions, maxBytes: Math.min(options.fetchOptions.maxBytes, MAX_PAGE_BYTES) };
  const fetched = await options.limiter.run(hostKey(url), () => fetchFeed(url, {}, fetchOptions));
  if (fetched.kind === 'error') return { ok: false, code: fetched.code };
  if (fetched.kind === 'not_modified') return { ok: false, code: 'http_304' };
  const text = extractMainText(decodeHtml(fetched.body, fetched.contentType), fetched.finalUrl);
  if (text === null) return { ok: false, code: 'no_article' };
  if (text.length < MIN_USEFUL_CHARS && text.length < summary.length) return { ok: false, code: 'too_short' };
  return { ok: true, text };
}

/**
 * Replaces the text of every article not in `skip` by its page's main text, keeping the feed text as
 * `summary`. Never throws for a page: failures leave the article unchanged and are counted by code.
 */
export async function addFullText(
  articles: readonly RawArticle[],
  skip: ReadonlySet<string>,
  options: FullTextOptions,
): Promise<FullTextResult> {
  const failures: Record<string, number> = {};
  let fetched = 0;
  const out = await mapLimited(articles, options.concurrency ?? 2, async (article) => {
    if (skip.has(article.id)) return article;
    let outcome: PageOutcome;
    try {
      outcome = await fetchPageText(article.url, article.text, options);
    } catch {
      // Decoding or extraction bugs on one page must not cost the feed its articles.
      outcome = { ok: false, code: 'extract_error' };
    }
    if (!outcome.ok) {
      failures[outcome.code] = (failures[outcome.code] ?? 0) + 1;
      return article;
    }
    fetched++;
    return { ...article, text: outcome.text, summary: article.text };
  });
  return { articles: out, fetched, failures };
}
