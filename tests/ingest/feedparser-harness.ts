/**
 * Runs the feedparser edge cases (../shared/fixtures/feeds/feedparser/cases.json) through parseFeed and
 * judges our ParsedFeed against feedparser's expectations, for the keys Narrative Monitor stores.
 *
 * What counts, and why (every exclusion category):
 * - APPLICABLE: a case whose every check path (after feedparser's aliases: channel→feed, items→entries,
 *   guid→id, description→summary, date/modified→updated, issued→published) is one of STORED_PATHS.
 *   `checks: []` (upstream expect `1`, "must not crash") is applicable: it asserts no crash.
 * - NOT APPLICABLE, "untranslatable": `checks: null` (5 cases: Python `ord()`, `isinstance(bozo_exception)`,
 *   `headers`/`locals()` lookups) — nothing machine-checkable about what we store.
 * - NOT APPLICABLE, "not stored: <path>": the case checks a key we do not keep. feed subtitle/tagline/info,
 *   rights/copyright, generator, image, textinput, cloud, ttl, docs, feed/entry authors' email/url,
 *   contributors, publisher, `links[]` lists, enclosures, `source`, `*_detail.type/base/language`
 *   (we keep values, not per-field metadata), media:* extras, wfw/thr extensions, `version`, `etag`,
 *   `modified`, feed-level dates, expired/created. A case is excluded as a whole as soon as one of its
 *   checks touches such a key (a partial verdict would be misleading).
 *
 * How stored values are compared (documented normalizations):
 * - title, title_detail.value, summary/description, content[i].value: as TEXT (HTML → text, whitespace
 *   collapsed, on both sides). We store plain text; feedparser returns sanitized HTML, and sanitizer
 *   differences (attribute order, `<br />` spelling, relative URLs inside markup) are out of scope.
 *   feedparser's value is plain text for type="text" constructs, so the expected value may also match
 *   as-is (whitespace collapsed): "History of the <blink> tag" is text, not a tag.
 * - *_parsed: as UTC instants, via `value_iso_utc`, to the second (struct_time has no fractions).
 * - author: feedparser formats Atom authors as "name (email)"; we store the name, so an expected
 *   "name (email)" also matches "name".
 * - encoding: case-insensitive (feedparser says "Big5", we say "big5").
 * - bozo: true when parseFeed recorded a problem or refused the document.
 * - link, id, tags[].term, category, language, published/updated (raw strings): exact.
 */
import { readFileSync } from 'node:fs';
import { cleanTitle, collapseWhitespace } from '../../ingest/html-to-text.ts';
import { FeedParseError, parseFeed, type ParsedFeed } from '../../ingest/parse-feed.ts';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.ts';

export interface FeedparserCheck {
  path: Array<string | number>;
  op: '==' | '!=' | 'falsy' | 'truthy' | 'len ==' | 'absent';
  value?: unknown;
  value_iso_utc?: string;
}

export interface FeedparserCase {
  path: string;
  category: string;
  description: string;
  expect: string;
  http_headers: Record<string, string> | null;
  skip_unless: string | null;
  transport: 'text' | 'bytes' | 'http';
  document_url: string | null;
  harness_asserts_bozo: boolean | null;
  checks: FeedparserCheck[] | null;
}

/** Paths (aliases resolved, list indexes as '#') of the feedparser result that we store. */
export const STORED_PATHS: ReadonlySet<string> = new Set([
  'bozo', 'encoding',
  'feed.title', 'feed.title_detail.value', 'feed.link', 'feed.language',
  'entries.#.title', 'entries.#.title_detail.value', 'entries.#.link', 'entries.#.id',
  'entries.#.published', 'entries.#.published_parsed', 'entries.#.updated', 'entries.#.updated_parsed',
  'entries.#.summary', 'entries.#.summary_detail.value', 'entries.#.content.#.value', 'entries.#.content.#.language',
  'entries.#.author', 'entries.#.author_detail.name', 'entries.#.tags.#.term', 'entries.#.category', 'entries.#.language',
  'entries.#.content', 'entries.#.tags',
]);

const TEXT_PATHS = new Set(['feed.title', 'feed.title_detail.value', 'entries.#.title', 'entries.#.title_detail.value', 'entries.#.summary', 'entries.#.summary_detail.value', 'entries.#.content.#.value']);

const ENTRY_ALIASES: Readonly<Record<string, string>> = { guid: 'id', description: 'summary', date: 'updated', date_parsed: 'updated_parsed', modified: 'updated', modified_parsed: 'updated_parsed', issued: 'published', issued_parsed: 'published_parsed' };
const FEED_ALIASES: Readonly<Record<string, string>> = { description: 'subtitle', tagline: 'subtitle', copyright: 'rights', date: 'updated', modified: 'updated' };

/** feedparser aliases resolved, so that one spelling per key is compared. */
export function canonicalPath(path: Array<string | number>): Array<string | number> {
  const out: Array<string | number> = [];
  for (const [i, seg] of path.entries()) {
    if (typeof seg === 'number') {
      out.push(seg);
      continue;
    }
    let s = seg;
    if (i === 0 && s === 'channel') s = 'feed';
    if (i === 0 && s === 'items') s = 'entries';
    if (out[0] === 'entries' && i === 2) s = ENTRY_ALIASES[s] ?? s;
    if (out[0] === 'feed' && i === 1) s = FEED_ALIASES[s] ?? s;
    out.push(s);
  }
  return out;
}

function pattern(path: Array<string | number>): string {
  return path.map((s) => (typeof s === 'number' ? '#' : s)).join('.');
}

/** Whether a case concerns only what we store; the reason when not. */
export function applicability(c: FeedparserCase): { applicable: true } | { applicable: false; reason: string } {
  if (c.checks === null) return { applicable: false, reason: 'untranslatable' };
  for (const check of c.checks) {
    const p = pattern(canonicalPath(check.path));
    if (!STORED_PATHS.has(p)) return { applicable: false, reason: `not stored: ${p}` };
  }
  return { applicable: true };
}

type Shape = Record<string, unknown>;

function text(html: string | null | undefined): string | undefined {
  if (html === null || html === undefined) return undefined;
  return cleanTitle(html);
}

function iso(d: Date | null | undefined): string | undefined {
  return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
}

function compact(obj: Shape): Shape {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== null));
}

/** Our ParsedFeed in feedparser's result shape, for the stored keys only. Text fields are plain text. */
export function toFeedparserShape(feed: ParsedFeed | null, bozo: boolean, encoding: string | undefined): Shape {
  if (!feed) return { bozo, encoding, feed: {}, entries: [] };
  const title = text(feed.title);
  return compact({
    bozo,
    encoding: feed.encoding,
    feed: compact({ title, title_detail: title === undefined ? undefined : { value: title }, link: feed.link ?? undefined, language: feed.language ?? undefined }),
    entries: feed.items.map((item) => {
      const t = text(item.title);
      const summary = text(item.summaryHtml ?? item.contentHtml);
      const content = text(item.contentHtml);
      const tags = (item.categories ?? []).map((term) => ({ term }));
      return compact({
        title: t,
        title_detail: t === undefined ? undefined : { value: t },
        link: item.link ?? undefined,
        id: item.guid ?? undefined,
        published: item.publishedRaw ?? undefined,
        published_parsed: iso(item.published),
        updated: item.updatedRaw ?? item.publishedRaw ?? undefined,
        updated_parsed: iso(item.updated ?? item.published),
        summary,
        summary_detail: summary === undefined ? undefined : { value: summary },
        content: content === undefined ? undefined : [{ value: content, language: item.language ?? null }],
        author: item.author ?? undefined,
        author_detail: item.author ? { name: item.author } : undefined,
        tags: tags.length ? tags : undefined,
        category: tags[0]?.term,
        language: item.language ?? undefined,
      });
    }),
  });
}

function lookup(shape: unknown, path: Array<string | number>): { found: boolean; value: unknown } {
  let cur: unknown = shape;
  for (const seg of path) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return { found: false, value: undefined };
    const next = (cur as Record<string | number, unknown>)[seg];
    if (next === undefined) return { found: false, value: undefined };
    cur = next;
  }
  return { found: true, value: cur };
}

function isFalsy(v: unknown): boolean {
  return v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
}

function sameValue(p: string, ours: unknown, check: FeedparserCheck): boolean {
  const expected = check.value;
  if (expected === null) return ours === undefined || ours === null;
  if (p.endsWith('_parsed')) return ours === check.value_iso_utc;
  if (typeof expected !== 'string') return ours === expected;
  if (typeof ours !== 'string') return false;
  // feedparser's value is HTML for html/xhtml constructs and plain text for type="text": accept either reading.
  if (TEXT_PATHS.has(p)) return ours === cleanTitle(expected) || ours === collapseWhitespace(expected);
  if (p === 'encoding') return ours.toLowerCase() === expected.toLowerCase();
  if (p.endsWith('author') || p.endsWith('author_detail.name')) return ours === expected || ours === expected.replace(/\s*\([^()]*@[^()]*\)$/, '');
  return ours === expected;
}

/** Evaluates one check; the reason says what we had when it fails. */
export function evaluateCheck(shape: Shape, check: FeedparserCheck): { pass: boolean; reason?: string } {
  const path = canonicalPath(check.path);
  const p = pattern(path);
  const { found, value } = lookup(shape, path);
  let pass: boolean;
  switch (check.op) {
    case '==':
      pass = sameValue(p, value, check);
      break;
    case '!=':
      pass = !sameValue(p, value, check);
      break;
    case 'falsy':
      pass = isFalsy(value);
      break;
    case 'truthy':
      pass = !isFalsy(value);
      break;
    case 'len ==':
      pass = Array.isArray(value) && value.length === check.value;
      break;
    case 'absent':
      pass = !found;
      break;
  }
  if (pass) return { pass };
  const want = check.op === '==' || check.op === '!=' || check.op === 'len ==' ? ` ${JSON.stringify(check.value_iso_utc ?? check.value)}` : '';
  return { pass, reason: `${p} ${check.op}${want}; got ${JSON.stringify(value)}` };
}

export interface CaseResult {
  path: string;
  pass: boolean;
  /** Failure reasons, or the unexpected exception. */
  reasons: string[];
  /** The parse threw something other than FeedParseError. */
  crashed: boolean;
}

/** What parseFeed returned for one case, in feedparser's shape. */
export async function parseCase(c: FeedparserCase, dir: string, server: FeedServer | null): Promise<{ shape: Shape } | { crash: unknown }> {
  const file = readFileSync(`${dir}${c.path}`);
  let body: Buffer;
  let contentType: string | null = null;
  let feedUrl = `http://127.0.0.1:8097/tests/${c.path}`;
  const options: { contentLocation?: string | null; contentLanguage?: string | null } = {};
  if (c.transport === 'http') {
    if (!server) throw new Error('http transport needs the feed server');
    const headers = { ...(c.http_headers ?? {}) };
    const ctKey = Object.keys(headers).find((k) => k.toLowerCase() === 'content-type');
    const ct = ctKey ? headers[ctKey]! : 'text/xml';
    if (ctKey) delete headers[ctKey];
    const route = `/tests/${c.path}`;
    server.setRoute(route, { body: file, contentType: ct, headers });
    const res = await fetch(server.url(route));
    body = Buffer.from(await res.arrayBuffer());
    contentType = res.headers.get('content-type');
    options.contentLocation = res.headers.get('content-location');
    options.contentLanguage = res.headers.get('content-language');
    // Expected URLs name upstream's document URL; our server's port differs, the path does not.
    feedUrl = c.document_url ?? feedUrl;
  } else if (c.transport === 'text') {
    // Upstream hands these over as a str: BOM-sniffed, otherwise UTF-8.
    const decoded = file[0] === 0xff && file[1] === 0xfe ? file.subarray(2).toString('utf16le') : file.toString('utf8').replace(/^\uFEFF/, '');
    body = Buffer.from(decoded, 'utf8');
  } else {
    body = file;
  }
  try {
    const feed = await parseFeed(body, contentType, feedUrl, options);
    return { shape: toFeedparserShape(feed, (feed.problems ?? []).length > 0, feed.encoding) };
  } catch (err) {
    if (err instanceof FeedParseError) return { shape: toFeedparserShape(null, true, undefined) };
    return { crash: err };
  }
}

/** Runs one case and evaluates its checks. */
export async function runCase(c: FeedparserCase, dir: string, server: FeedServer | null): Promise<CaseResult> {
  const outcome = await parseCase(c, dir, server);
  if ('crash' in outcome) {
    return { path: c.path, pass: false, reasons: [`crash: ${String(outcome.crash)}`], crashed: true };
  }
  const reasons: string[] = [];
  for (const check of c.checks ?? []) {
    const r = evaluateCheck(outcome.shape, check);
    if (!r.pass) reasons.push(r.reason ?? 'failed');
  }
  return { path: c.path, pass: reasons.length === 0, reasons, crashed: false };
}

export interface SuiteResult {
  total: number;
  applicable: CaseResult[];
  notApplicable: Array<{ path: string; reason: string }>;
  passed: number;
  /** Non-applicable cases that crashed the parser (must be none). */
  crashes: CaseResult[];
}

/** Runs every case of cases.json; non-applicable cases are still parsed, to prove they do not crash. */
export async function runSuite(dir: string): Promise<SuiteResult> {
  const doc = JSON.parse(readFileSync(`${dir}cases.json`, 'utf8')) as { cases: FeedparserCase[] };
  const server = await startFeedServer();
  try {
    const applicable: CaseResult[] = [];
    const notApplicable: Array<{ path: string; reason: string }> = [];
    const crashes: CaseResult[] = [];
    for (const c of doc.cases) {
      const a = applicability(c);
      if (a.applicable) {
        applicable.push(await runCase(c, dir, server));
      } else {
        notApplicable.push({ path: c.path, reason: a.reason });
        const outcome = await parseCase(c, dir, server);
        if ('crash' in outcome) crashes.push({ path: c.path, pass: false, reasons: [`crash: ${String(outcome.crash)}`], crashed: true });
      }
    }
    return { total: doc.cases.length, applicable, notApplicable, passed: applicable.filter((r) => r.pass).length, crashes };
  } finally {
    await server.close();
  }
}
