/**
 * The article document as stored in Elasticsearch, and the mappings between it and the port's types: an
 * EnrichedArticle in, an Article or a SearchHit (with its highlight turned into our snippet format) out.
 */
import { ValidationError } from '../../core/errors.ts';
import { tokenize } from '../../core/query/tokenize.ts';
import type { Article, EnrichedArticle, Entity } from '../../core/types.ts';
import type { ExportRow, SearchHit, SyndicationFingerprint } from '../article-store.ts';
import { titleKey } from '../sqlite/sqlite-article-store.ts';
import { escapeHtml } from '../sqlite/snippet.ts';

/**
 * One stored article. Every field is listed explicitly (never a spread of the input) because the mapping is
 * `dynamic: strict`: an unknown field would make Elasticsearch reject the whole document.
 */
export interface ArticleDocument {
  id: string;
  url: string;
  canonicalUrl: string;
  feedId: string;
  outletId: string;
  guid: string | null;
  title: string;
  text: string;
  /** `tokenize(title).join(' ')`: what term and phrase queries run against. */
  titleNorm: string;
  /** `tokenize(text).join(' ')`. */
  textNorm: string;
  /** Title dedupe key (null when the title is too short to identify a story). */
  titleKey: string | null;
  summary?: string;
  publishedAt: string | null;
  firstSeenAt: string;
  /** publishedAt when valid, else firstSeenAt, as an ISO UTC instant: the date searches, sorts and trends use. */
  date: string;
  dateIsFallback: boolean;
  storedAt: string;
  author: string | null;
  language: string;
  languageConfidence: number;
  keywords: string[];
  actors: string[];
  themes: string[];
  entities: Entity[];
  /** Alerts the article matched when it was stored: lets a replay re-create events lost in a crash. */
  alertIds: string[];
  /** Syndication cluster (store/elastic/clusters.ts): the id of the first stored article of the cluster. */
  clusterId: string;
  /** The body's MinHash fingerprint, null for title-only and short bodies (never matched). */
  minhash: MinhashField | null;
}

/** The stored fingerprint: band keys are indexed (candidate lookup), the signature only kept in _source. */
export interface MinhashField {
  bands: number[];
  /** The signature as little-endian uint32s, base64. */
  signature: string;
  shingles: number;
}

/** The stored form of a fingerprint. */
export function toMinhashField(fingerprint: SyndicationFingerprint): MinhashField {
  const buf = Buffer.alloc(fingerprint.signature.length * 4);
  fingerprint.signature.forEach((v, i) => buf.writeUInt32LE(v, i * 4));
  return { bands: [...fingerprint.bandKeys], signature: buf.toString('base64'), shingles: fingerprint.shingleCount };
}

/** The signature of a stored fingerprint. */
export function minhashSignatureOf(field: Pick<MinhashField, 'signature'>): Uint32Array {
  const buf = Buffer.from(field.signature, 'base64');
  const sig = new Uint32Array(Math.floor(buf.length / 4));
  for (let i = 0; i < sig.length; i++) sig[i] = buf.readUInt32LE(i * 4);
  return sig;
}

/** `_source` fields a search page never needs (the body and the index-only fields). */
export const SEARCH_SOURCE_EXCLUDES = ['text', 'titleNorm', 'textNorm', 'titleKey', 'summary', 'entities', 'alertIds', 'storedAt', 'minhash'];
/** `_source` fields getArticle never returns (index-only). */
export const ARTICLE_SOURCE_EXCLUDES = ['titleNorm', 'textNorm', 'titleKey', 'alertIds', 'storedAt', 'minhash'];

/** Milliseconds of the article's date and whether it fell back to firstSeenAt, exactly as the SQLite store. */
export function articleDate(article: EnrichedArticle): { dateMs: number; fallback: boolean } {
  const published = article.publishedAt !== null ? Date.parse(article.publishedAt) : Number.NaN;
  const fallback = !Number.isFinite(published);
  const dateMs = fallback ? Date.parse(article.firstSeenAt) : published;
  if (!Number.isFinite(dateMs)) {
    throw new ValidationError('invalid_article', `article-store: article ${article.id} has no valid date`);
  }
  return { dateMs, fallback };
}

/**
 * Builds the document of an article to store. Pure. The cluster id defaults to the article's own id (a new
 * single-article cluster); the store sets it when the fingerprint matches a stored article.
 */
export function toDocument(
  article: EnrichedArticle,
  alertIds: readonly string[],
  storedAt: string,
  fingerprint?: SyndicationFingerprint | null,
): ArticleDocument {
  const { dateMs, fallback } = articleDate(article);
  return {
    id: article.id,
    url: article.url,
    canonicalUrl: article.canonicalUrl,
    feedId: article.feedId,
    outletId: article.outletId,
    guid: article.guid,
    title: article.title,
    text: article.text,
    titleNorm: tokenize(article.title).join(' '),
    textNorm: tokenize(article.text).join(' '),
    titleKey: titleKey(article.title),
    ...(article.summary !== undefined ? { summary: article.summary } : {}),
    publishedAt: article.publishedAt,
    firstSeenAt: article.firstSeenAt,
    date: new Date(dateMs).toISOString(),
    dateIsFallback: fallback,
    storedAt,
    author: article.author,
    language: article.language,
    languageConfidence: article.languageConfidence,
    keywords: [...article.keywords],
    actors: [...article.actors],
    themes: [...article.themes],
    entities: article.entities.map((e) => ({ text: e.text, type: e.type, start: e.start, end: e.end })),
    alertIds: [...new Set(alertIds)],
    clusterId: article.id,
    minhash: fingerprint ? toMinhashField(fingerprint) : null,
  };
}

type Source = Partial<ArticleDocument>;

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
function strOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The stored article from a document `_source`. */
export function sourceToArticle(source: Source): Article {
  return {
    id: str(source.id),
    url: str(source.url),
    canonicalUrl: str(source.canonicalUrl),
    feedId: str(source.feedId),
    outletId: str(source.outletId),
    guid: strOrNull(source.guid),
    title: str(source.title),
    text: str(source.text),
    publishedAt: strOrNull(source.publishedAt),
    firstSeenAt: str(source.firstSeenAt),
    author: strOrNull(source.author),
    language: str(source.language),
    languageConfidence: typeof source.languageConfidence === 'number' ? source.languageConfidence : 0,
    keywords: strings(source.keywords),
    entities: Array.isArray(source.entities) ? source.entities.map((e) => ({ ...e })) : [],
    actors: strings(source.actors),
    themes: strings(source.themes),
    date: str(source.date),
    dateIsFallback: source.dateIsFallback === true,
    ...(typeof source.summary === 'string' ? { summary: source.summary } : {}),
  };
}

/**
 * Highlight tags: Unicode noncharacters, which never occur in interchange text, so after HTML-escaping the
 * fragment they can be turned into <mark> without any markup from the article surviving.
 */
export const HIGHLIGHT_PRE = '\uFDD0';
export const HIGHLIGHT_POST = '\uFDD1';

/** Whether a fragment has at least one highlighted span. */
export function hasMark(fragment: string): boolean {
  return fragment.includes(HIGHLIGHT_PRE);
}

/**
 * Turns an Elasticsearch fragment (raw text with HIGHLIGHT_PRE/POST around matches) into our snippet HTML:
 * whitespace collapsed, everything escaped, only <mark>…</mark> as markup. Unbalanced tags are dropped, so the
 * output is always well-formed.
 */
export function fragmentToSnippet(fragment: string): string {
  let html = '';
  let open = false;
  let plain = '';
  const flush = (): void => {
    html += escapeHtml(plain);
    plain = '';
  };
  for (const ch of fragment.replace(/\s+/g, ' ').trim()) {
    if (ch === HIGHLIGHT_PRE) {
      if (open) continue;
      flush();
      html += '<mark>';
      open = true;
    } else if (ch === HIGHLIGHT_POST) {
      if (!open) continue;
      flush();
      html += '</mark>';
      open = false;
    } else {
      plain += ch;
    }
  }
  flush();
  if (open) html += '</mark>';
  return html.replace(/<mark><\/mark>/g, '');
}

/**
 * The snippet of a hit from its highlight: the body fragment when it has a match, else the title fragment
 * when it has one, else the start of the body (no_match_size fragment), else the title. Same order as the
 * SQLite store's snippets.
 */
export function snippetFromHighlight(highlight: Record<string, string[]> | undefined, title: string): string {
  const text = highlight?.text?.[0];
  const inTitle = highlight?.title?.[0];
  if (text !== undefined && hasMark(text)) return fragmentToSnippet(text);
  if (inTitle !== undefined && hasMark(inTitle)) return fragmentToSnippet(inTitle);
  if (text !== undefined && text.trim() !== '') return fragmentToSnippet(text);
  return fragmentToSnippet(title);
}

/** A search hit from a document `_source` (without the body) and its highlight. */
export function sourceToHit(source: Source, highlight: Record<string, string[]> | undefined): SearchHit {
  const title = str(source.title);
  return {
    id: str(source.id),
    title,
    url: str(source.url),
    outletId: str(source.outletId),
    feedId: str(source.feedId),
    publishedAt: strOrNull(source.publishedAt),
    firstSeenAt: str(source.firstSeenAt),
    date: str(source.date),
    dateIsFallback: source.dateIsFallback === true,
    language: str(source.language),
    actors: strings(source.actors),
    themes: strings(source.themes),
    keywords: strings(source.keywords),
    snippet: snippetFromHighlight(highlight, title),
    // Documents stored before clusters existed have none; the store adds clusterSize for the others.
    ...(typeof source.clusterId === 'string' ? { clusterId: source.clusterId } : {}),
  };
}

/** An export row from a document `_source` (EXPORT_SOURCE_INCLUDES). */
export function sourceToExportRow(source: Source): ExportRow {
  const id = str(source.id);
  return {
    id,
    date: str(source.date),
    dateIsFallback: source.dateIsFallback === true,
    publishedAt: strOrNull(source.publishedAt),
    firstSeenAt: str(source.firstSeenAt),
    outletId: str(source.outletId),
    language: str(source.language),
    title: str(source.title),
    url: str(source.url),
    actors: strings(source.actors),
    themes: strings(source.themes),
    keywords: strings(source.keywords),
    // Documents stored before clusters existed form their own single-article cluster.
    clusterId: typeof source.clusterId === 'string' ? source.clusterId : id,
  };
}
