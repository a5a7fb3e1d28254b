/**
 * OPML 1.0/2.0 import and export, pure: document text in, outlets with tags and feed URLs out, and back.
 * Folders become slash-joined tag paths (OPML 2.0's hierarchical category form), so a researcher's
 * "State media / Russia" folders survive a round trip; `nm:*` attributes keep outlet identity.
 */
import sax from 'sax';
import { ValidationError } from './errors.ts';
import { feedId, slugify } from './ids.ts';
import { OutletSchema, SlugSchema, type Outlet } from './types.ts';

/** Namespace of our extension attributes (`nm:outlet`, `nm:outletId`, `nm:country`, `nm:language`, `nm:tags`). */
export const OPML_NAMESPACE = 'https://narrative-monitor.org/opml';

/** Tag length limit of OutletSchema. */
const MAX_TAG_LENGTH = 60;
const MAX_NAME_LENGTH = 200;

/** One outlet as an OPML document describes it. */
export interface OpmlOutlet {
  name: string;
  /** Outlet id from our own export (`nm:outletId`), so re-importing finds the same outlet. */
  id?: string;
  homepage?: string;
  /** ISO 3166-1 alpha-2, upper case. */
  country?: string;
  /** ISO 639 primary language subtag, lower case. */
  language?: string;
  /** Folder path (slash-joined), then `nm:tags` (or, without it, `category`), without duplicates. */
  tags: string[];
  /** Feed URLs (absolute http(s), as written in the document apart from `feed:` schemes). */
  feeds: string[];
}

export interface ParsedOpml {
  /** `<head><title>`, when present. */
  title: string | null;
  outlets: OpmlOutlet[];
  /** Things that were skipped or repaired, one sentence each, for the person importing. */
  problems: string[];
}

function invalid(message: string): ValidationError {
  return new ValidationError('opml_invalid', `opml: ${message}`);
}

/**
 * A bare `&` (not starting an entity or character reference) is the most common fault of hand-made and
 * tool-made OPML, usually inside an xmlUrl query string; escaping it keeps the parser strict otherwise.
 */
const BARE_AMPERSAND = /&(?!(?:[A-Za-z][A-Za-z0-9._-]*|#[0-9]+|#x[0-9A-Fa-f]+);)/g;

/** Collapses whitespace; a tag with slashes is a path whose segments are trimmed and never empty. */
function normalizeTag(raw: string, problems: string[]): string | null {
  let segments = raw
    .replace(/\s+/g, ' ')
    .split('/')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => s.slice(0, MAX_TAG_LENGTH));
  if (segments.length === 0) return null;
  // A path too long for one tag keeps its innermost folders: they are the specific part.
  let tag = segments.join('/');
  if (tag.length > MAX_TAG_LENGTH) {
    while (segments.join('/').length > MAX_TAG_LENGTH) segments = segments.slice(1);
    tag = segments.join('/');
    problems.push(`tag "${raw.trim()}" is longer than ${MAX_TAG_LENGTH} characters; kept "${tag}"`);
  }
  return tag;
}

/** `nm:tags` is comma-separated; commas and percent signs inside a tag are percent-encoded. */
function encodeNmTag(tag: string): string {
  return tag.replace(/%/g, '%25').replace(/,/g, '%2C');
}

function decodeNmTag(tag: string): string {
  return tag.replace(/%2C/gi, ',').replace(/%25/g, '%');
}

/** `feed://host/x` and `feed:https://host/x` are old ways of writing a feed link. */
function feedSchemeToHttp(url: string): string {
  if (/^feed:https?:/i.test(url)) return url.slice(5);
  if (/^feed:\/\//i.test(url)) return `http://${url.slice(7)}`;
  return url;
}

function httpUrl(raw: string): URL | null {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

interface Frame {
  /** Lower-case local element name. */
  name: string;
  /** Namespace prefixes in scope: prefix -> URI. */
  prefixes: Map<string, string>;
  /** For outline folders: the label this level adds to the folder path (null for feeds, unnamed folders). */
  folder: string | null;
}

/**
 * C0/C1 control characters (written literally or as `&#27;`) have no place in names or URLs, and would
 * reach terminals through the CLI's output: they are dropped on the way in.
 */
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/**
 * Parses an OPML document. Feeds are outlines with an `xmlUrl` (any `type`: Miniflux omits it); outlines
 * without one are folders, and the folders above a feed become one tag ("State media/Russia"). Outlets
 * come from `nm:outlet`/`nm:outletId` when present, else from the outline's text or title, so feeds of
 * one outlet stay together. Entities declared in a DOCTYPE are never expanded: a document that uses them
 * is refused. Throws ValidationError (code `opml_invalid`) for anything that is not an OPML document.
 */
export function parseOpml(xml: string): ParsedOpml {
  const problems: string[] = [];
  const text = xml.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw invalid('the document is empty');
  const repaired = text.replace(BARE_AMPERSAND, '&amp;');
  if (repaired !== text) problems.push('unescaped "&" characters were read as "&amp;"');

  // Strict mode: broken structure is an error with a line number, not a guess. Named HTML entities such as
  // &nbsp; are still decoded (strictEntities off); DTD-declared entities are unknown and fail.
  const parser = sax.parser(true, { position: true });
  const stack: Frame[] = [];
  const outlets = new Map<string, OpmlOutlet>();
  const feedOwner = new Map<string, string>();
  let sawDoctype = false;
  let sawRoot = false;
  let sawBody = false;
  let title: string | null = null;
  let titleBuffer: string | null = null;

  parser.ondoctype = () => {
    sawDoctype = true;
  };
  parser.onerror = (err) => {
    const reason = err.message.split('\n')[0] ?? 'not well-formed';
    const hint = sawDoctype && /entity/i.test(reason) ? ' (entities declared in a DOCTYPE are not expanded)' : '';
    throw invalid(`line ${parser.line + 1}, column ${parser.column + 1}: ${reason}${hint}`);
  };
  parser.ontext = (chunk) => {
    if (titleBuffer !== null) titleBuffer += chunk;
  };
  parser.oncdata = parser.ontext;
  parser.onclosetag = () => {
    const frame = stack.pop();
    if (frame?.name === 'title' && titleBuffer !== null) {
      title = titleBuffer.replace(/\s+/g, ' ').trim() || null;
      titleBuffer = null;
    }
  };
  parser.onopentag = (tag) => {
    const parent = stack[stack.length - 1];
    const prefixes = new Map(parent?.prefixes ?? []);
    const attrs = new Map<string, string>();
    for (const [key, value] of Object.entries(tag.attributes)) {
      if (key.startsWith('xmlns:')) prefixes.set(key.slice(6), value);
      attrs.set(key.toLowerCase(), value.replace(CONTROL_CHARS, ''));
    }
    const name = (tag.name.includes(':') ? tag.name.slice(tag.name.indexOf(':') + 1) : tag.name).toLowerCase();
    const frame: Frame = { name, prefixes, folder: null };
    if (!parent) {
      if (name !== 'opml') throw invalid(`the root element is <${tag.name}>, not <opml>`);
      sawRoot = true;
    } else if (parent.name === 'opml' && name === 'body') {
      sawBody = true;
    } else if (parent.name === 'head' && name === 'title' && stack.length === 2) {
      titleBuffer = '';
    } else if (name === 'outline' && stack.some((f) => f.name === 'body')) {
      frame.folder = readOutline(attrs, prefixes, stack);
    }
    stack.push(frame);
  };

  /** Records a feed outline, or returns the label a folder outline adds to the path. */
  function readOutline(attrs: Map<string, string>, prefixes: Map<string, string>, ancestors: readonly Frame[]): string | null {
    const ours = (local: string): string | undefined => {
      for (const [prefix, uri] of prefixes) {
        if (uri === OPML_NAMESPACE) {
          const value = attrs.get(`${prefix}:${local}`.toLowerCase());
          if (value !== undefined) return value.trim();
        }
      }
      // Hand-edited files often use nm: without declaring it; no other vocabulary claims that prefix here.
      return prefixes.has('nm') ? undefined : attrs.get(`nm:${local}`.toLowerCase())?.trim();
    };
    const label = (attrs.get('text') ?? '').trim() || (attrs.get('title') ?? '').trim();
    const rawUrl = (attrs.get('xmlurl') ?? '').trim();
    if (rawUrl === '') {
      const type = (attrs.get('type') ?? '').toLowerCase();
      if (type === 'rss' || type === 'atom') problems.push(`outline "${label}" has type "${type}" but no xmlUrl; skipped`);
      return label || null;
    }
    const url = httpUrl(feedSchemeToHttp(rawUrl));
    const where = label ? `outline "${label}"` : 'an outline';
    if (!url) {
      problems.push(`${where}: xmlUrl "${rawUrl}" is not an http(s) URL; skipped`);
      return null;
    }
    const feedUrl = feedSchemeToHttp(rawUrl);
    const homepage = (attrs.get('htmlurl') ?? '').trim();
    const homepageUrl = homepage ? httpUrl(homepage) : null;
    const outletName = (ours('outlet') || label || homepageUrl?.hostname || url.hostname).replace(/\s+/g, ' ').slice(0, MAX_NAME_LENGTH);

    let id = ours('outletId');
    if (id !== undefined && !SlugSchema.safeParse(id).success) {
      problems.push(`${where}: nm:outletId "${id}" is not a valid id; ignored`);
      id = undefined;
    }
    const country = ours('country');
    const validCountry = country && /^[A-Za-z]{2}$/.test(country) ? country.toUpperCase() : undefined;
    if (country && !validCountry) problems.push(`${where}: country "${country}" is not a two-letter code; ignored`);
    const language = ours('language') || (attrs.get('language') ?? '').trim();
    const primary = /^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9-_]*)?$/.exec(language)?.[1]?.toLowerCase();
    if (language && !primary) problems.push(`${where}: language "${language}" is not a language code; ignored`);
    if (homepage && !homepageUrl) problems.push(`${where}: htmlUrl "${homepage}" is not an http(s) URL; ignored`);

    const folderPath = ancestors.map((f) => f.folder).filter((f): f is string => f !== null);
    // nm:tags is our exact copy of the tags; category is the lossy one for other readers (commas dropped).
    const nmTags = ours('tags');
    const rawTags = [
      ...(folderPath.length > 0 ? [folderPath.map((f) => f.replace(/\//g, ' ')).join('/')] : []),
      ...(nmTags !== undefined ? nmTags.split(',').map(decodeNmTag) : (attrs.get('category') ?? '').split(',')),
    ];
    const tags: string[] = [];
    for (const raw of rawTags) {
      const tag = normalizeTag(raw, problems);
      if (tag !== null && !tags.includes(tag)) tags.push(tag);
    }

    const key = id !== undefined ? `id:${id}` : `name:${outletName.toLowerCase()}`;
    const fid = feedId(feedUrl);
    const owner = feedOwner.get(fid);
    if (owner !== undefined && owner !== key) {
      problems.push(`feed ${feedUrl} is listed again under outlet "${outletName}"; kept under the first outlet`);
      return null;
    }
    let draft = outlets.get(key);
    if (!draft) {
      draft = { name: outletName, tags: [], feeds: [] };
      if (id !== undefined) draft.id = id;
      outlets.set(key, draft);
    }
    if (homepageUrl) draft.homepage ??= homepage;
    draft.country ??= validCountry;
    draft.language ??= primary;
    for (const tag of tags) if (!draft.tags.includes(tag)) draft.tags.push(tag);

    if (owner === undefined) {
      feedOwner.set(fid, key);
      draft.feeds.push(feedUrl);
    }
    return null;
  }

  parser.write(repaired).close();
  if (!sawRoot) throw invalid('the document has no root element');
  if (!sawBody) throw invalid('the document has no <body>');
  return { title, outlets: [...outlets.values()].map(withoutUndefined), problems };
}

function withoutUndefined(o: OpmlOutlet): OpmlOutlet {
  const out: OpmlOutlet = { name: o.name, tags: o.tags, feeds: o.feeds };
  if (o.id !== undefined) out.id = o.id;
  if (o.homepage !== undefined) out.homepage = o.homepage;
  if (o.country !== undefined) out.country = o.country;
  if (o.language !== undefined) out.language = o.language;
  return out;
}

// ---- Decoding bytes ------------------------------------------------------------------------------------

/**
 * Decodes an OPML file's bytes: a BOM wins, then valid UTF-8 (whatever the declaration claims, since
 * exporters often mislabel), then the encoding in the XML declaration, then windows-1252.
 */
export function decodeOpmlBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Not UTF-8: fall through to the declared encoding.
  }
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const declared = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1];
  if (declared) {
    try {
      return new TextDecoder(declared).decode(bytes);
    } catch {
      // An encoding the runtime does not know: windows-1252 below reads every byte.
    }
  }
  return new TextDecoder('windows-1252').decode(bytes);
}

// ---- Rendering -----------------------------------------------------------------------------------------

/** A feed to export. */
export interface OpmlExportFeed {
  url: string;
  /** The feed's own title, shown by other readers; the outlet name stands in when absent. */
  title?: string | null;
}

/** An outlet with the feeds to export under it. */
export type OpmlExportOutlet = Outlet & { feeds: readonly OpmlExportFeed[] };

export interface RenderOpmlOptions {
  title: string;
  dateCreated: Date;
}

// XML 1.0 forbids these characters even as references; they are dropped rather than written.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function escapeXml(value: string): string {
  return value
    .replace(XML_INVALID, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

function attributes(pairs: ReadonlyArray<readonly [string, string | undefined]>): string {
  return pairs
    .filter((p): p is readonly [string, string] => p[1] !== undefined && p[1] !== '')
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
}

interface FolderNode {
  folders: Map<string, FolderNode>;
  outlets: OpmlExportOutlet[];
}

const byText = (a: string, b: string): number => a.localeCompare(b, 'en', { sensitivity: 'base' }) || a.localeCompare(b);

/**
 * Renders outlets and their feeds as OPML 2.0. Each feed is one `type="rss"` outline carrying its outlet's
 * attributes, with an outlet's feeds side by side. The outlet's first tag decides its folder ("a/b" nests
 * b in a), which is what Miniflux, Feedly and others import as a category; every tag is also written to
 * `category` and `nm:tags`. Outlets without feeds are left out (an OPML outline is a feed).
 */
export function renderOpml(outlets: readonly OpmlExportOutlet[], options: RenderOpmlOptions): string {
  const root: FolderNode = { folders: new Map(), outlets: [] };
  for (const outlet of outlets) {
    if (outlet.feeds.length === 0) continue;
    let node = root;
    for (const segment of (outlet.tags[0] ?? '').split('/').map((s) => s.trim()).filter(Boolean)) {
      let next = node.folders.get(segment);
      if (!next) {
        next = { folders: new Map(), outlets: [] };
        node.folders.set(segment, next);
      }
      node = next;
    }
    node.outlets.push(outlet);
  }

  const lines: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<opml version="2.0" xmlns:nm="${OPML_NAMESPACE}">`,
    '  <head>',
    `    <title>${escapeXml(options.title)}</title>`,
    `    <dateCreated>${options.dateCreated.toUTCString()}</dateCreated>`,
    '    <docs>http://opml.org/spec2.opml</docs>',
    '  </head>',
    '  <body>',
  ];
  const emit = (node: FolderNode, depth: number): void => {
    const pad = '  '.repeat(depth);
    for (const name of [...node.folders.keys()].sort(byText)) {
      lines.push(`${pad}<outline${attributes([['text', name], ['title', name]])}>`);
      emit(node.folders.get(name)!, depth + 1);
      lines.push(`${pad}</outline>`);
    }
    for (const outlet of [...node.outlets].sort((a, b) => byText(a.name, b.name) || byText(a.id, b.id))) {
      const category = outlet.tags.map((t) => t.replace(/,/g, ' ')).join(',');
      for (const feed of [...outlet.feeds].sort((a, b) => byText(a.url, b.url))) {
        const label = feed.title?.trim() || outlet.name;
        const attrs = attributes([
          ['type', 'rss'],
          ['text', label],
          ['title', label],
          ['xmlUrl', feed.url],
          ['htmlUrl', outlet.homepage],
          ['language', outlet.language],
          ['category', category],
          ['nm:outlet', outlet.name],
          ['nm:outletId', outlet.id],
          ['nm:country', outlet.country],
          ['nm:language', outlet.language],
          ['nm:tags', outlet.tags.map(encodeNmTag).join(',')],
        ]);
        lines.push(`${pad}<outline${attrs}/>`);
      }
    }
  };
  emit(root, 2);
  lines.push('  </body>', '</opml>', '');
  return lines.join('\n');
}

// ---- Planning an import --------------------------------------------------------------------------------

/** What importing one outlet does to the catalog. */
export interface OpmlImportPlanEntry {
  /** The outlet to store: an existing one with the document's details merged in, or a new one. */
  outlet: Outlet;
  isNew: boolean;
  /** False when the stored outlet already says everything the document says (no write needed). */
  changed: boolean;
  feeds: string[];
}

function sameOutlet(a: Outlet, b: Outlet): boolean {
  return (
    a.name === b.name &&
    a.homepage === b.homepage &&
    a.country === b.country &&
    a.language === b.language &&
    a.tags.length === b.tags.length &&
    a.tags.every((t, i) => b.tags[i] === t)
  );
}

/**
 * Decides, without touching any store, which outlet each imported outlet is: the one with its
 * `nm:outletId`, else one with the same name (any case), else one whose id is the name's slug, else a new
 * outlet. An existing outlet keeps its id and name (queries and the watchlist refer to them); the
 * document's homepage, country and language replace stored ones when given; tags are merged, stored ones
 * first. Imported outlets without feeds are dropped.
 */
export function planOpmlImport(imported: readonly OpmlOutlet[], existing: readonly Outlet[]): OpmlImportPlanEntry[] {
  const known = new Map(existing.map((o) => [o.id, o]));
  const original = new Map(existing.map((o) => [o.id, o]));
  const entries = new Map<string, OpmlImportPlanEntry>();
  const findByName = (name: string): Outlet | undefined => {
    const lower = name.toLowerCase();
    for (const o of known.values()) if (o.name.toLowerCase() === lower) return o;
    return undefined;
  };
  for (const o of imported) {
    if (o.feeds.length === 0) continue;
    const match = (o.id !== undefined ? known.get(o.id) : undefined) ?? findByName(o.name) ?? known.get(slugify(o.name));
    let outlet: Outlet;
    if (match) {
      outlet = {
        ...match,
        ...(o.homepage !== undefined ? { homepage: o.homepage } : {}),
        ...(o.country !== undefined ? { country: o.country } : {}),
        ...(o.language !== undefined ? { language: o.language } : {}),
        tags: [...match.tags, ...o.tags.filter((t) => !match.tags.includes(t))],
      };
    } else {
      // Not taken: an outlet with this id would have matched above.
      const id = o.id ?? slugify(o.name);
      outlet = withoutUndefinedOutlet({ id, name: o.name, homepage: o.homepage, country: o.country, language: o.language, tags: [...o.tags] });
    }
    outlet = OutletSchema.parse(outlet);
    known.set(outlet.id, outlet);
    const previous = entries.get(outlet.id);
    const feeds = [...(previous?.feeds ?? []), ...o.feeds.filter((f) => !previous?.feeds.includes(f))];
    const stored = original.get(outlet.id);
    entries.set(outlet.id, { outlet, isNew: stored === undefined, changed: stored === undefined || !sameOutlet(stored, outlet), feeds });
  }
  return [...entries.values()];
}

function withoutUndefinedOutlet(o: { id: string; name: string; homepage: string | undefined; country: string | undefined; language: string | undefined; tags: string[] }): Outlet {
  const out: Outlet = { id: o.id, name: o.name, tags: o.tags };
  if (o.homepage !== undefined) out.homepage = o.homepage;
  if (o.country !== undefined) out.country = o.country;
  if (o.language !== undefined) out.language = o.language;
  return out;
}
