/**
 * RSS/RDF/Atom XML → ParsedFeed. rss-parser's `parseString` does the XML parse, picks the format and lists
 * the items; this module supplies what its output cannot carry (xml:base, xml:lang, Atom text-construct
 * types and base64, Atom 0.3, namespaced spellings) by asking it to keep the raw element nodes beside its own fields.
 */
import Parser from 'rss-parser';
import type { ParsedFeed, ParsedItem } from './parse-feed.ts';
import { parseFeedDate } from './parse-date.ts';
import { recoverXml } from './xml-recover.ts';

/** Where the document came from, for relative URLs and language defaults. */
export interface DocumentContext {
  /** Absolute http(s) URL used as the outermost base (Content-Location or the fetched URL). */
  baseUrl: string | null;
  /** HTTP Content-Language, the language of last resort. */
  contentLanguage: string | null;
}

// ------------------------------------------------------------------------------------- namespaces

const ATOM10 = 'http://www.w3.org/2005/Atom';
const ATOM03 = 'http://purl.org/atom/ns#';
const NAMESPACES: Readonly<Record<string, string>> = {
  [ATOM10]: 'atom',
  [ATOM03]: 'atom',
  'http://purl.org/rss/1.0/': 'rss',
  'http://my.netscape.com/rdf/simple/0.9/': 'rss',
  'http://backend.userland.com/rss2': 'rss',
  'http://blogs.law.harvard.edu/tech/rss': 'rss',
  'http://backend.userland.com/rss': 'rss',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/dc/terms/': 'dcterms',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://www.w3.org/1999/xhtml': 'xhtml',
  'http://search.yahoo.com/mrss/': 'media',
  'http://search.yahoo.com/mrss': 'media',
};

// Elements whose child markup is kept as an HTML string (rss-parser would rebuild it out of order).
const TEXT_CONSTRUCTS = new Set([
  'title', 'subtitle', 'tagline', 'summary', 'content', 'rights', 'copyright', 'info', 'description',
  'content:encoded', 'xhtml:body', 'body', 'fullitem', 'dc:description', 'dc:title',
  'atom:title', 'atom:summary', 'atom:content',
]);

/**
 * Spelling rules for element names: known namespaces get their conventional prefix, and the host format's
 * own namespace none (an `<atom:feed>` becomes `<feed>`, RSS 1.0's `<rss:item>` becomes `<item>`), so
 * rss-parser sees the names it knows. Atom `published`, `updated` and `link` are moved to our own `nm:`
 * names because rss-parser reads them with code that throws on odd values (a garbage date, a link without
 * attributes) and loses the whole feed; we read them from the raw nodes instead.
 */
function renamerFor(host: 'atom' | 'rss') {
  return (qname: string, local: string, uri: string | null): string => {
    let prefix = uri ? NAMESPACES[uri] : undefined;
    // Unprefixed elements of an Atom document without (or with a bogus) namespace are still Atom.
    if (prefix === undefined && host === 'atom' && !qname.includes(':')) prefix = 'atom';
    if (prefix === undefined) return qname;
    if (prefix === 'atom' && host === 'atom' && (local === 'published' || local === 'updated' || local === 'link')) return `nm:${local}`;
    if (prefix === host || (prefix === 'rss' && host === 'rss')) return local;
    return `${prefix}:${local}`;
  };
}

function rootInfo(xml: string): { name: string; local: string; uri: string | null } | null {
  const prolog = /^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?\s*>)*/i.exec(xml);
  const rest = xml.slice(prolog?.[0].length ?? 0);
  const m = /^<([A-Za-z_][\w:.-]*)([^>]*)>?/.exec(rest);
  if (!m) return null;
  const name = m[1]!;
  const colon = name.indexOf(':');
  const prefix = colon > 0 ? name.slice(0, colon) : '';
  const local = colon > 0 ? name.slice(colon + 1) : name;
  const attrName = prefix ? `xmlns:${prefix}` : 'xmlns';
  const uriMatch = new RegExp(`\\s${attrName.replace('.', '\\.')}\\s*=\\s*(["'])([^"']*)\\1`).exec(m[2] ?? '');
  return { name, local, uri: uriMatch?.[2] ?? null };
}

/** Attributes of the first start tag of a well-formed document (as written by recoverXml: double quotes). */
function rootAttributes(xml: string): Record<string, string> {
  const tag = /<(?![?!])[^>]*>/.exec(xml)?.[0] ?? '';
  const attrs: Record<string, string> = {};
  for (const m of tag.matchAll(/\s([^\s=]+)="([^"]*)"/g)) attrs[m[1]!] = decodeXmlAttr(m[2]!);
  return attrs;
}

function decodeXmlAttr(v: string): string {
  return v.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_m, ref: string) => {
    const r = ref.toLowerCase();
    if (r.startsWith('#x')) return String.fromCodePoint(Number.parseInt(r.slice(2), 16));
    if (r.startsWith('#')) return String.fromCodePoint(Number.parseInt(r.slice(1), 10));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[r] ?? '';
  });
}

// ------------------------------------------------------------------------------------- raw nodes

type Attrs = Record<string, string>;
type RawNode = string | { _?: unknown; $?: Attrs; [key: string]: unknown };

function asNodes(value: unknown): RawNode[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as RawNode[];
}

function nodeText(node: RawNode | undefined): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node;
  return typeof node._ === 'string' ? node._ : '';
}

function nodeAttrs(node: RawNode | undefined): Attrs {
  if (!node || typeof node === 'string') return {};
  return node.$ ?? {};
}

function child(node: RawNode | undefined, name: string): RawNode | undefined {
  if (!node || typeof node === 'string') return undefined;
  return asNodes(node[name])[0];
}

/** Names rss-parser keeps for us as raw node arrays, under `nm:<name>` on each item and on the feed. */
const RAW_ITEM_FIELDS = [
  '$', 'title', 'dc:title', 'media:title', 'media:group', 'link', 'nm:link', 'atom:link', 'guid', 'id', 'description',
  'dc:description', 'summary', 'content', 'content:encoded', 'xhtml:body', 'body', 'fullitem', 'pubDate', 'dc:date',
  'nm:published', 'nm:updated', 'published', 'updated', 'issued', 'modified', 'created', 'dcterms:issued',
  'dcterms:modified', 'dcterms:created', 'author', 'dc:creator', 'dc:author', 'category', 'dc:subject',
  'media:category', 'tags', 'dc:language',
];
const RAW_FEED_FIELDS = ['$', 'title', 'dc:title', 'link', 'nm:link', 'atom:link', 'language', 'dc:language'];

const rawKey = (name: string): string => `nm-raw:${name}`;

// A <rss> without a version attribute is read as RSS 2.0 instead of being rejected.
const parser = new Parser<Record<string, unknown>, Record<string, unknown>>({
  defaultRSS: 2,
  customFields: {
    item: RAW_ITEM_FIELDS.map((f) => [f, rawKey(f), { keepArray: true }] as [string, string, { keepArray: boolean }]),
    feed: RAW_FEED_FIELDS.map((f) => [f, rawKey(f), { keepArray: true }] as [string, string, { keepArray: boolean }]),
  } as unknown as { item: string[]; feed: string[] },
});

function raw(obj: Record<string, unknown>, name: string): RawNode[] {
  return asNodes(obj[rawKey(name)]);
}

// ------------------------------------------------------------------------------------- context

interface Scope {
  base: string | null;
  /** undefined: nothing declared; null: declared blank (xml:lang=""), which means "unknown". */
  lang: string | null | undefined;
}

function resolveUrl(ref: string, base: string | null): string | null {
  try {
    return new URL(ref, base ?? undefined).toString();
  } catch {
    return null;
  }
}

function scoped(parent: Scope, attrs: Attrs): Scope {
  const xmlBase = attrs['xml:base'];
  const xmlLang = attrs['xml:lang'];
  return {
    base: xmlBase !== undefined ? (resolveUrl(xmlBase.trim(), parent.base) ?? parent.base) : parent.base,
    // xml:lang="" explicitly resets the language to unknown.
    lang: xmlLang !== undefined ? xmlLang.trim().replace(/_/g, '-') || null : parent.lang,
  };
}

/** A link resolved against the scope; kept as written when no base makes it absolute. */
function resolveLink(ref: string, scope: Scope): string {
  const trimmed = ref.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return trimmed;
  return (scope.base && resolveUrl(trimmed, scope.base)) || trimmed;
}

// ------------------------------------------------------------------------------------- text constructs

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function decodeBase64(text: string): string {
  return Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
}

/**
 * A text construct as HTML. Atom 1.0 type text|html|xhtml, Atom 0.3 type (MIME) + mode xml|escaped|base64,
 * and RSS (untyped: treated as HTML, as every reader does). Inline child markup was captured as CDATA
 * by recoverXml and marked with nm:markup.
 */
function textConstruct(node: RawNode | undefined, atom: boolean): string | null {
  if (node === undefined) return null;
  const attrs = nodeAttrs(node);
  let text = nodeText(node);
  const type = (attrs.type ?? '').trim().toLowerCase();
  const mode = (attrs.mode ?? '').trim().toLowerCase();
  if (mode === 'base64' || (type !== '' && !/^(text|html|xhtml)$/.test(type) && !type.includes('xml') && !type.startsWith('text/'))) {
    // Atom 1.0: any other MIME type is base64; Atom 0.3: mode="base64".
    if (mode === 'base64' || atom) text = decodeBase64(text);
  }
  if (attrs['nm:markup'] === '1') {
    if (type === 'xhtml' || type === 'application/xhtml+xml') text = text.replace(/^\s*<div\b[^>]*>([\s\S]*)<\/div>\s*$/i, '$1');
    return text;
  }
  if (type === 'text' || type === 'text/plain') return escapeHtml(text);
  if (type === '' && atom && mode !== 'escaped') return escapeHtml(text);
  return text;
}

function firstText(nodes: RawNode[], atom: boolean): { node: RawNode; html: string } | null {
  for (const node of nodes) {
    const html = textConstruct(node, atom);
    if (html !== null && html.trim() !== '') return { node, html };
  }
  return null;
}

function plain(nodes: RawNode[]): string | null {
  for (const node of nodes) {
    const t = nodeText(node).trim();
    if (t) return t;
  }
  return null;
}

// ------------------------------------------------------------------------------------- items

/** Atom/RSS `link` elements → the alternate href (Atom), or the element text (RSS). */
function atomAlternate(nodes: RawNode[], scope: Scope): string | null {
  let fallback: string | null = null;
  for (const node of nodes) {
    const attrs = nodeAttrs(node);
    // Some feeds write the URL as the element text instead of an href attribute.
    const href = (attrs.href ?? nodeText(node)).trim();
    if (!href) continue;
    const rel = (attrs.rel ?? 'alternate').trim().toLowerCase();
    const url = resolveLink(href, scoped(scope, attrs));
    if (rel === 'alternate') {
      const type = (attrs.type ?? 'text/html').toLowerCase();
      if (type.includes('html')) return url;
      fallback ??= url;
    }
  }
  return fallback;
}

const EMAIL = /^[^\s@()<>]+@[^\s@()<>]+$/;

/**
 * The person's name from an RSS author string: "me@x.org (Jane Doe)" (the RSS 2.0 form), "Jane Doe
 * (me@x.org)", "Jane Doe <me@x.org>"; a bare address is kept as the only name there is.
 */
export function authorName(text: string): string {
  const t = text.trim();
  let m = /^(\S+@\S+)\s*\((.+)\)$/.exec(t);
  if (m && EMAIL.test(m[1]!)) return m[2]!.trim();
  m = /^(.+?)\s*[(<]\s*(?:mailto:)?(\S+@[^\s)>]+)\s*[)>]$/.exec(t);
  if (m && EMAIL.test(m[2]!)) return m[1]!.trim();
  return t;
}

function authorOf(item: Record<string, unknown>): string | null {
  for (const node of [...raw(item, 'author'), ...raw(item, 'dc:creator'), ...raw(item, 'dc:author')]) {
    const name = nodeText(child(node, 'name') ?? child(node, 'atom:name')).trim();
    if (name) return name;
    const email = nodeText(child(node, 'email')).trim();
    if (email) return email;
    const text = nodeText(node).trim();
    if (text) return authorName(text);
  }
  return null;
}

function categoriesOf(item: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const node of [...raw(item, 'category'), ...raw(item, 'dc:subject'), ...raw(item, 'media:category')]) {
    const attrs = nodeAttrs(node);
    const term = (attrs.term ?? nodeText(node)).trim();
    if (term) out.push(term);
  }
  // A non-standard <tags>a, b</tags> element, seen on some blog platforms.
  for (const node of raw(item, 'tags')) out.unshift(...nodeText(node).split(',').map((t) => t.trim()).filter(Boolean));
  return [...new Set(out)];
}

const PUBLISHED_FIELDS = ['pubDate', 'nm:published', 'published', 'issued', 'dcterms:issued', 'dc:date', 'dcterms:created', 'created'];
const UPDATED_FIELDS = ['nm:updated', 'updated', 'modified', 'dcterms:modified', 'dc:date'];

function dateOf(item: Record<string, unknown>, fields: string[]): { raw: string | null; date: Date | null } {
  let first: string | null = null;
  for (const f of fields) {
    for (const node of raw(item, f)) {
      const text = nodeText(node).trim();
      if (!text) continue;
      first ??= text;
      const date = parseFeedDate(text);
      if (date) return { raw: text, date };
    }
  }
  return { raw: first, date: null };
}

function mapItem(item: Record<string, unknown>, parent: Scope, atom: boolean, feedLanguage: string | null): ParsedItem {
  const scope = scoped(parent, (raw(item, '$')[0] as Attrs | undefined) ?? {});
  const mediaGroup = raw(item, 'media:group')[0];
  const titleNodes = [...raw(item, 'title'), ...raw(item, 'dc:title'), ...raw(item, 'media:title'), ...asNodes(typeof mediaGroup === 'object' ? mediaGroup['media:title'] : undefined)];
  const title = firstText(titleNodes, atom)?.html ?? null;

  const contentNode = firstText([...raw(item, 'content:encoded'), ...raw(item, 'xhtml:body'), ...raw(item, 'body'), ...raw(item, 'fullitem'), ...(atom ? raw(item, 'content') : [])], atom);
  let summaryNode = firstText([...raw(item, 'description'), ...raw(item, 'dc:description'), ...raw(item, 'summary')], atom);
  let content = contentNode;
  // RSS with both <description> and a non-standard <summary>: the summary is the longer text (feedparser does the same).
  if (!atom && !content && raw(item, 'description').length > 0) {
    const summary = firstText(raw(item, 'summary'), atom);
    if (summary) content = summary;
  }
  if (atom) summaryNode = firstText(raw(item, 'summary'), atom);

  let link = atomAlternate([...raw(item, 'nm:link'), ...raw(item, 'atom:link')], scope);
  if (!atom && !link) {
    for (const node of raw(item, 'link')) {
      const attrs = nodeAttrs(node);
      const text = (nodeText(node) || attrs.href || '').trim();
      if (text) {
        link = resolveLink(text, scoped(scope, attrs));
        break;
      }
    }
  }
  const guidNode = [...raw(item, 'guid'), ...raw(item, 'id')].find((n) => nodeText(n).trim() !== '');
  const itemAttrs = (raw(item, '$')[0] as Attrs | undefined) ?? {};
  let guid = guidNode ? nodeText(guidNode).trim() : (itemAttrs['rdf:about']?.trim() || null);
  // A relative Atom id is a relative IRI (RFC 4287 §4.2.6): resolve it; an id with spaces is no IRI at all.
  if (guid && atom && !/^[a-z][a-z0-9+.-]*:/i.test(guid) && !/\s/.test(guid)) guid = resolveLink(guid, scoped(scope, nodeAttrs(guidNode)));
  if (!link && guid && !atom && nodeAttrs(guidNode).isPermaLink?.trim().toLowerCase() !== 'false' && /^https?:\/\//i.test(guid)) link = guid;

  const published = dateOf(item, PUBLISHED_FIELDS);
  const updated = dateOf(item, UPDATED_FIELDS);
  const anyRaw = published.raw ?? updated.raw;
  const date = published.date ?? updated.date;

  const langNode = (content ?? summaryNode)?.node;
  const inScope = scoped(scope, nodeAttrs(langNode)).lang;
  const language = plain(raw(item, 'dc:language')) ?? (inScope === undefined ? feedLanguage : inScope);

  return {
    link,
    guid,
    title,
    contentHtml: content?.html ?? null,
    summaryHtml: summaryNode?.html ?? null,
    contentText: null,
    publishedRaw: published.date ? published.raw : (updated.date ? updated.raw : anyRaw),
    published: date,
    updatedRaw: updated.raw,
    updated: updated.date,
    dateFlag: anyRaw !== null && date === null ? 'unparseable' : null,
    author: authorOf(item),
    categories: categoriesOf(item),
    language,
  };
}

// ------------------------------------------------------------------------------------- document

/** Why the document is not a feed, or could not be parsed at all. */
export class XmlFeedError extends Error {
  constructor(
    readonly kind: 'not_a_feed' | 'parse_error',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const HTML_ROOTS = new Set(['html', 'head', 'body']);

/**
 * Parses a decoded XML feed document. Recovers from ill-formed XML (recorded in `problems`), wraps a bare
 * Atom `<entry>` in a feed, and resolves links against xml:base and `ctx.baseUrl`.
 * @throws XmlFeedError when the document is HTML or another non-feed, or cannot be parsed even after recovery.
 */
export async function parseXmlFeed(text: string, encoding: string, ctx: DocumentContext, problems: string[]): Promise<ParsedFeed> {
  const root = rootInfo(text);
  if (!root) throw new XmlFeedError('not_a_feed', 'no XML root element');
  const rootLocal = root.local.toLowerCase();
  if (HTML_ROOTS.has(rootLocal) || /^\s*<!doctype\s+html/i.test(text.slice(0, 2048))) {
    throw new XmlFeedError('not_a_feed', 'document is an HTML page, not a feed');
  }
  const atom = root.uri === ATOM10 || root.uri === ATOM03 || rootLocal === 'feed' || rootLocal === 'entry';
  if (!atom && !['rss', 'rdf', 'channel'].includes(rootLocal)) {
    throw new XmlFeedError('not_a_feed', `<${root.name}> is not an RSS, Atom or RDF root`);
  }
  const host = atom ? 'atom' : 'rss';
  const recovered = recoverXml(text, { renameElement: renamerFor(host), captureMarkup: (name) => TEXT_CONSTRUCTS.has(name) });
  problems.push(...recovered.problems);
  let xml = recovered.xml;
  const rootAttrs = rootAttributes(xml);
  if (rootLocal === 'entry') {
    // A bare Atom entry document (RFC 4287 §4.1.2): read it as a feed of one.
    xml = xml.replace(/<entry\b[\s\S]*<\/entry>/, (e) => `<feed>${e}</feed>`);
  } else if (rootLocal === 'channel') {
    xml = xml.replace(/<channel\b[\s\S]*<\/channel>/, (c) => `<rss version="2.0">${c}</rss>`);
  } else if (!atom && !/<channel[\s>/]/.test(xml)) {
    // rss-parser dereferences channel[0]; a channel-less document gets one around its content.
    if (rootLocal !== 'rss') return { format: 'rss', title: null, link: null, items: [], encoding, language: null, problems };
    xml = xml.replace(/(<rss\b[^>]*?)(\/?)>([\s\S]*)$/, (_m, start: string, selfClosing: string, rest: string) =>
      selfClosing ? `${start}><channel></channel></rss>` : `${start}><channel>${rest.replace(/<\/rss>\s*$/, '')}</channel></rss>`,
    );
  }

  let out: Record<string, unknown> & { items: Array<Record<string, unknown>> };
  try {
    out = (await parser.parseString(xml)) as typeof out;
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new XmlFeedError('parse_error', message ?? 'unparseable XML', { cause: err });
  }

  const docScope = scoped({ base: ctx.baseUrl, lang: undefined }, rootLocal === 'entry' ? {} : rootAttrs);
  const feedScope = atom ? docScope : scoped(docScope, (raw(out, '$')[0] as Attrs | undefined) ?? {});
  const feedLanguage = plain([...raw(out, 'language'), ...raw(out, 'dc:language')]) ?? feedScope.lang ?? ctx.contentLanguage ?? null;
  const title = firstText([...raw(out, 'title'), ...raw(out, 'dc:title')], atom)?.html ?? null;
  let link: string | null;
  if (atom) {
    link = atomAlternate(raw(out, 'nm:link'), feedScope);
  } else {
    const node = raw(out, 'link').find((n) => nodeText(n).trim() !== '');
    link = node ? resolveLink(nodeText(node), scoped(feedScope, nodeAttrs(node))) : atomAlternate(raw(out, 'atom:link'), feedScope);
  }
  // In an RDF document, items are siblings of the channel: their scope is the document's.
  const itemScope = rootLocal === 'rdf' ? docScope : feedScope;
  const items = out.items.map((it) => mapItem(it, itemScope, atom, feedLanguage));
  const ttl = feedTtl(out.ttl);
  return { format: atom ? 'atom' : 'rss', title, link, items, encoding, language: feedLanguage, problems, ...(ttl !== null ? { ttl } : {}) };
}

/** RSS 2.0 <ttl>: minutes the channel may be cached. Only a positive whole number is honoured. */
function feedTtl(value: unknown): number | null {
  const text = typeof value === 'string' ? value.trim() : Array.isArray(value) && typeof value[0] === 'string' ? value[0].trim() : '';
  if (!/^\d{1,7}$/.test(text)) return null;
  const n = Number(text);
  return n > 0 ? n : null;
}
